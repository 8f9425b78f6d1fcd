import Foundation
import Testing
import TestSupport

/// ARCHITECTURE.md's module table states what each library module may import; Package.swift is what it does. They
/// must agree, so the document stays true as the code changes.
@Suite struct ArchitectureDocTests {
    /// Module -> its dependencies, from `.target(name: "X", dependencies: [...])` entries of Package.swift.
    static func packageTargets(_ manifest: String) throws -> [String: Set<String>] {
        let target = try NSRegularExpression(pattern: #"\.target\(\s*name:\s*"([A-Za-z0-9]+)"(\s*,\s*dependencies:\s*\[([^\]]*)\])?"#)
        var modules: [String: Set<String>] = [:]
        for m in target.matches(in: manifest, range: NSRange(manifest.startIndex..., in: manifest)) {
            let name = String(manifest[Range(m.range(at: 1), in: manifest)!])
            let list = Range(m.range(at: 3), in: manifest).map { manifest[$0] } ?? ""
            modules[name] = Set(list.split(separator: ",").map { $0.trimmingCharacters(in: CharacterSet(charactersIn: " \n\"")) }.filter { !$0.isEmpty })
        }
        return modules
    }

    /// Module -> "may import" from the table rows "| `Module` | owns | `A`, `B` |" ("—" for none).
    static func documentedTargets(_ doc: String) -> [String: Set<String>] {
        var modules: [String: Set<String>] = [:]
        for line in doc.split(separator: "\n") where line.hasPrefix("| `") {
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            guard cells.count == 3 else { continue }
            let imports = cells[2] == "—" ? [] : cells[2].split(separator: ",").map { $0.trimmingCharacters(in: CharacterSet(charactersIn: " `")) }
            modules[cells[0].trimmingCharacters(in: CharacterSet(charactersIn: "`"))] = Set(imports)
        }
        return modules
    }

    @Test func moduleTableMatchesThePackage() throws {
        let root = SharedData.packageRoot
        var package = try Self.packageTargets(String(contentsOf: root.appendingPathComponent("Package.swift"), encoding: .utf8))
        package["TestSupport"] = nil // a test helper, not a module of the program
        let documented = Self.documentedTargets(try String(contentsOf: root.appendingPathComponent("ARCHITECTURE.md"), encoding: .utf8))
        #expect(package.count >= 14, "Package.swift parse found \(package.keys.sorted())")
        for name in Set(package.keys).union(documented.keys).sorted() {
            #expect(package[name] == documented[name], "\(name): Package.swift \(package[name].map { $0.sorted() } ?? []) vs ARCHITECTURE.md \(documented[name].map { $0.sorted() } ?? [])")
        }
    }
}
