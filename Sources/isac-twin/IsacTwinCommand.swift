import ArgumentParser
import Foundation
import TwinEngine
import TwinLocalization
import TwinStore
import TwinWorld

@main
struct IsacTwinCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "isac-twin",
        abstract: "Digital-twin tracking simulator for 6G integrated sensing and communication.",
        discussion: """
            Worlds are YAML files (see worlds/README.md); a shipped world can be named without \
            its path: `isac-twin run factory`. Bad input exits with code 2 and a message naming \
            the file, the line, the key, what was expected and what was found.
            """,
        version: IsacTwin.version,
        subcommands: [
            Run.self, Validate.self, Worlds.self, Inspect.self, TwinCommand.self, ReplayCommand.self, MetricsCommand.self,
            CompareCommand.self,
            ReportCommand.self,
            Localize.self,
            AssociationStudyCommand.self,
            WaveformStudyCommand.self,
            Keys.self,
        ])

    /// Parses and runs, with one exit code for every kind of bad input: 2, as for a bad world
    /// file (ArgumentParser's own code for a usage error is 64).
    static func main() {
        pinOpenBLASToOneThread()
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            let code = exitCode(for: error)
            if code == .validationFailure {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                exit(withError: ExitCode(2))
            }
            exit(withError: error)
        }
    }
}

/// OpenBLAS starts its worker threads when the library loads, before any Swift code runs, and
/// idle workers spin in `sched_yield` (about 15 % of a sensing run on two cores). Only the
/// environment variable stops them from starting, so when it is unset the program sets it and
/// re-executes itself once. Results do not depend on it; only speed does.
func pinOpenBLASToOneThread() {
    #if os(Linux)
        guard getenv("OPENBLAS_NUM_THREADS") == nil else { return }
        setenv("OPENBLAS_NUM_THREADS", "1", 1)
        execv("/proc/self/exe", CommandLine.unsafeArgv)
    // execv returns only on failure: carry on with the threads.
    #endif
}

/// Prints a problem for a person on stderr and exits with code 2 (bad input).
func failBadInput(_ message: String) -> ExitCode {
    FileHandle.standardError.write(Data("error: \(message)\n".utf8))
    return ExitCode(2)
}

/// Runs `body`, turning the errors a user can cause into a message and exit code 2.
func withUserErrors<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let error as WorldFileError {
        throw failBadInput(error.description)
    } catch let error as MeasurementFileError {
        throw failBadInput(error.description)
    } catch let error as ResumeError {
        throw failBadInput(error.description)
    } catch let error as ReplayError {
        throw failBadInput(error.description)
    } catch let error as RecordingError {
        if case .writeFailed = error {
            // Not the user's input: the disk is full or the file went away.
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode(1)
        }
        throw failBadInput(error.description)
    }
}

func formatBytes(_ bytes: Int64) -> String {
    let units = ["B", "KB", "MB", "GB"]
    var value = Double(bytes), unit = 0
    while value >= 1000 && unit < units.count - 1 { value /= 1000; unit += 1 }
    return unit == 0 ? "\(bytes) B" : String(format: "%.1f %@", value, units[unit])
}
