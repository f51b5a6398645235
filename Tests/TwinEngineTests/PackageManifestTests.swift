import Foundation
import Testing

/// Package.swift declares exactly what each target's sources import: no missing dependency
/// that happens to build through another module, none declared and unused (the layering of
/// docs/architecture.md is read from it).
@Suite struct PackageManifestTests {
    /// Target name → declared dependencies (target and product names), read from Package.swift.
    func declared() throws -> [String: Set<String>] {
        let text = try String(contentsOfFile: packageRoot.appendingPathComponent("Package.swift").path, encoding: .utf8)
        var out: [String: Set<String>] = [:]
        let target = try Regex(#"\.(?:target|testTarget|executableTarget)\(\s*name:\s*"([^"]+)"(?:,\s*dependencies:\s*\[([^\]]*)\])?"#)
        for match in text.matches(of: target) {
            let name = String(match.output[1].substring ?? "")
            let deps = match.output.count > 2 ? String(match.output[2].substring ?? "") : ""
            var names = Set<String>()
            // `.product(name: "X", …)` gives X; a bare "Y" is a target.
            for product in deps.matches(of: try Regex(#"\.product\(name:\s*"([^"]+)""#)) {
                names.insert(String(product.output[1].substring ?? ""))
            }
            let withoutProducts = deps.replacing(try Regex(#"\.product\([^)]*\)"#), with: "")
            for bare in withoutProducts.matches(of: try Regex(#""([^"]+)""#)) { names.insert(String(bare.output[1].substring ?? "")) }
            out[name] = names
        }
        return out
    }

    /// The modules the Swift files of a folder import (system modules left out).
    func imported(_ folder: URL) throws -> Set<String> {
        let system: Set<String> = ["Foundation", "Testing", "Glibc", "Darwin", "Synchronization", "Dispatch"]
        var out = Set<String>()
        let files = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: nil)?.compactMap { $0 as? URL } ?? []
        for file in files where file.pathExtension == "swift" {
            for line in try String(contentsOf: file, encoding: .utf8).split(separator: "\n") {
                let words = line.split(separator: " ")
                guard let i = words.firstIndex(of: "import"), words[..<i].allSatisfy({ $0 == "@testable" }), i + 1 < words.count else {
                    continue
                }
                let module = String(words[i + 1])
                if !system.contains(module) { out.insert(module) }
            }
        }
        return out
    }

    @Test func everyTargetDeclaresExactlyWhatItImports() throws {
        let manifest = try declared()
        #expect(manifest.count > 20)
        for (name, dependencies) in manifest where !name.hasPrefix("C") {
            let folder = packageRoot.appendingPathComponent(name.hasSuffix("Tests") ? "Tests" : "Sources").appendingPathComponent(name)
            let imports = try imported(folder)
            // An executable is a dependency to build, never an import (the end-to-end tests run it).
            let declaredImports = dependencies.subtracting(["isac-twin"])
            #expect(imports == declaredImports, "\(name): imports \(imports.sorted()), declares \(declaredImports.sorted())")
        }
    }
}
