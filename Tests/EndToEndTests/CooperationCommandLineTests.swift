import Foundation
import Testing

@Suite struct CooperationCommandLineTests {
    /// `--cooperation` replaces the world's policy (the links show it: 112 with the
    /// cross-operator pairs, 50 within the operators) and a typo is a usage error.
    @Test func cooperationOptionSetsThePolicy() throws {
        let shared = try cli(["run", "road-two-operators", "--duration", "0.3", "--no-record", "--quiet"])
        #expect(shared.status == 0)
        #expect(shared.stdout.contains("trp-trp: 112 links"))
        let isolated = try cli(["run", "road-two-operators", "--cooperation", "isolated", "--duration", "0.3", "--no-record", "--quiet"])
        #expect(isolated.status == 0)
        #expect(isolated.stdout.contains("trp-trp: 50 links"))
        let typo = try cli(["run", "road-two-operators", "--cooperation", "trak-sharing", "--no-record"])
        #expect(typo.status != 0)
        #expect(typo.stderr.contains("'isolated', 'measurement-sharing' or 'track-sharing'"))
        let resume = try cli(["run", "--resume", "x.sqlite", "--cooperation", "isolated"])
        #expect(resume.status != 0 && resume.stderr.contains("--cooperation"))
    }
}
