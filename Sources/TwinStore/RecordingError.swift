/// Why a recording could not be written or read; printed for a person.
public enum RecordingError: Error, CustomStringConvertible, Equatable {
    case notFound(path: String)
    case notARecording(path: String, reason: String)
    case newerSchema(path: String, unknown: [String])
    case cannotCreate(path: String, reason: String)
    case writeFailed(path: String, reason: String)

    public var description: String {
        switch self {
        case .notFound(let path): return "\(path): no such recording"
        case .notARecording(let path, let reason): return "\(path): not an isac-twin recording (\(reason))"
        case .newerSchema(let path, let unknown):
            return
                "\(path): written by a newer isac-twin (unknown schema migrations \(unknown.joined(separator: ", "))); upgrade isac-twin to read it"
        case .cannotCreate(let path, let reason): return "\(path): cannot create the recording: \(reason)"
        case .writeFailed(let path, let reason): return "\(path): writing the recording failed: \(reason)"
        }
    }
}
