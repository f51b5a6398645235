import Foundation
import TwinWorld

/// Finds world files: a path as given, or the name of a shipped world (`factory` →
/// `worlds/factory.yaml`). Shipped worlds are looked for in `$ISAC_TWIN_WORLDS`, then
/// `./worlds`, then the `worlds` folder of the checkout the executable was built in.
public enum WorldCatalogue {
    public static func searchDirectories(executablePath: String = CommandLine.arguments.first ?? "") -> [String] {
        var dirs: [String] = []
        if let env = ProcessInfo.processInfo.environment["ISAC_TWIN_WORLDS"], !env.isEmpty { dirs.append(env) }
        dirs.append(FileManager.default.currentDirectoryPath + "/worlds")
        // .build/<triple>/<config>/isac-twin → checkout root.
        var url = URL(fileURLWithPath: executablePath).resolvingSymlinksInPath().deletingLastPathComponent()
        for _ in 0..<4 {
            url.deleteLastPathComponent()
            dirs.append(url.appendingPathComponent("worlds").path)
        }
        var seen: Set<String> = []
        return dirs.filter { seen.insert(URL(fileURLWithPath: $0).standardized.path).inserted }
    }

    /// The file a command-line argument names. A path that exists wins; otherwise a shipped
    /// world of that name. Returns the argument unchanged if neither exists, so the error names it.
    public static func resolve(_ argument: String) -> String {
        let fm = FileManager.default
        if fm.fileExists(atPath: argument) { return argument }
        let name = argument.hasSuffix(".yaml") ? argument : argument + ".yaml"
        if !argument.contains("/") {
            for dir in searchDirectories() where fm.fileExists(atPath: dir + "/" + name) {
                return dir + "/" + name
            }
        }
        return argument
    }

    public struct Entry: Sendable {
        public var name: String
        public var path: String
        /// The world's description, or why it does not load.
        public var description: String
        public var isValid: Bool
    }

    /// Shipped worlds of the first search directory that has any.
    public static func shipped() -> [Entry] {
        let fm = FileManager.default
        for dir in searchDirectories() {
            guard let files = try? fm.contentsOfDirectory(atPath: dir) else { continue }
            let worlds = files.filter { $0.hasSuffix(".yaml") }.sorted()
            guard !worlds.isEmpty else { continue }
            return worlds.map { file in
                let path = dir + "/" + file
                let name = String(file.dropLast(5))
                do {
                    let spec = try WorldSpec.load(path: path, components: Components.catalogue)
                    return Entry(name: name, path: path, description: spec.description, isValid: true)
                } catch {
                    return Entry(name: name, path: path, description: "does not load: \(error)", isValid: false)
                }
            }
        }
        return []
    }
}
