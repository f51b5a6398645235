import Foundation
import Testing
import TwinWorld

@testable import TwinSensing

/// FNV-1a over the bit patterns of every measurement and label of `frames` frames of a shipped
/// world in `mode`: a fingerprint of the sensing chain's output.
func observationDigest(world name: String, mode: SensingMode, frames: Int) throws -> UInt64 {
    let spec = try WorldSpec.load(path: packageRoot.appendingPathComponent("worlds/\(name).yaml").path)
    var world = try World(spec: spec)
    var engine = SensingEngine(world: spec, movers: world.movers, mode: mode)
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    func mix(_ x: UInt64) { h = (h ^ x) &* 0x0000_0100_0000_01b3 }
    func mix(_ x: Double?) { mix(x?.bitPattern ?? 0x7ff8_dead_beef_0001) }
    for _ in 0..<frames {
        let (obs, truth) = engine.observe(world.step(dt: spec.simulation.dt))
        mix(UInt64(obs.measurements.count))
        for m in obs.measurements {
            mix(UInt64(m.linkId))
            for v in [m.range, m.rangeVariance, m.rangeRate, m.rangeRateVariance, m.snrDb] { mix(v) }
            for v in [m.aoaAzimuth, m.aoaAzimuthVariance, m.aoaElevation, m.aoaElevationVariance] { mix(v) }
            for v in [m.aodAzimuth, m.aodAzimuthVariance, m.aodElevation, m.aodElevationVariance] { mix(v) }
        }
        for t in truth.labels { mix(t.trueRange); mix(UInt64(t.moverId ?? 9999)) }
    }
    return h
}

/// Worlds without a `secondBand` draw and measure exactly as before multi-band sensing: the
/// digests were computed with the engine of the parent commit (d43cdee, before second bands).
@Suite struct SingleBandDigestTests {
    @Test(arguments: [
        ("tiny", SensingMode.hybrid, 50, UInt64(17_460_836_995_259_019_520)),
        ("tiny", SensingMode.cellFree, 50, UInt64(16_558_610_581_975_652_752)),
        ("factory", SensingMode.monostatic, 20, UInt64(5_149_959_283_496_578_786)),
        ("factory", SensingMode.trpTrp, 10, UInt64(14_560_365_316_129_911_933)),
    ])
    func worldsWithoutSecondBandsAreUnchanged(world: String, mode: SensingMode, frames: Int, expected: UInt64) throws {
        let digest = try observationDigest(world: world, mode: mode, frames: frames)
        #expect(digest == expected)
    }
}
