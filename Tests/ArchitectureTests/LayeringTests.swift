import Foundation
import XCTest

/// The module layering of docs/ARCHITECTURE.md, checked on the source tree: every `import` in a target's
/// files is one its layer allows, and Package.swift declares exactly the modules a target imports.
final class LayeringTests: XCTestCase {
    /// What each library module and the CLI may import (besides the toolchain's own modules). Lower modules
    /// never import higher ones; Models and Metrics are siblings, so neither imports the other.
    static let allowed: [String: Set<String>] = [
        "Support": ["CSHA256"],
        "LinearAlgebra": ["Support", "CLAPACK"],
        "AnnData": ["Support", "LinearAlgebra", "CHDF5"],
        "Statistics": ["Support", "LinearAlgebra", "CLAPACK"],
        "PerturbData": ["Support", "LinearAlgebra", "AnnData", "Statistics"],
        "Metrics": ["Support", "LinearAlgebra", "AnnData", "Statistics", "PerturbData"],
        "Neural": ["CTorchShim"],
        "Models": ["Support", "LinearAlgebra", "AnnData", "Statistics", "PerturbData", "Neural", "CXGBoost"],
        "Workflows": [
            "Support", "LinearAlgebra", "AnnData", "Statistics", "PerturbData", "Metrics", "Models", "Neural",
            "TOMLKit",
        ],
        "PerturbKit": [
            "Support", "LinearAlgebra", "AnnData", "Statistics", "PerturbData", "Metrics", "Models", "Neural",
            "Workflows",
        ],
        "perturb": ["PerturbKit", "ArgumentParser"],
        "HDF5Check": ["AnnData"],
        // The libFuzzer targets (Fuzz/PerturbFuzz; in Package.swift only with PERTURB_FUZZ=1).
        "PerturbFuzz": ["PerturbKit"],
    ]
    /// Modules of the toolchain, importable anywhere.
    static let toolchain: Set<String> = ["Foundation", "Dispatch", "Glibc", "Darwin"]

    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// The modules imported by the Swift files under Sources/<target> (Fuzz/<target> for the fuzz targets).
    static func imports(of target: String) throws -> Set<String> {
        var directory = root.appendingPathComponent("Sources/\(target)")
        if !FileManager.default.fileExists(atPath: directory.path) { directory = root.appendingPathComponent("Fuzz/\(target)") }
        guard let walker = FileManager.default.enumerator(at: directory, includingPropertiesForKeys: nil) else { return [] }
        var found: Set<String> = []
        for case let url as URL in walker where url.pathExtension == "swift" {
            for line in try String(contentsOf: url, encoding: .utf8).split(separator: "\n") {
                if let module = importedModule(line) { found.insert(module) }
            }
        }
        return found.subtracting(toolchain)
    }

    /// The module a source line imports (`import X`, `@_exported import X`, `@testable import X`), if any.
    static func importedModule(_ line: Substring) -> String? {
        let words = line.split(separator: " ")
        guard let i = words.firstIndex(of: "import"), words[..<i].allSatisfy({ $0.hasPrefix("@") }), i + 1 < words.count
        else { return nil }
        return String(words[i + 1])
    }

    /// Each Swift target's declared dependencies in Package.swift (target and product names).
    static func declaredDependencies() throws -> [String: Set<String>] {
        let text = try String(contentsOf: root.appendingPathComponent("Package.swift"), encoding: .utf8)
        var result: [String: Set<String>] = [:]
        let pattern = try NSRegularExpression(pattern: #"\.(?:target|executableTarget)\(name: "([^"]+)"(, dependencies: \[)?"#)
        for match in pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
            let name = String(text[Range(match.range(at: 1), in: text)!])
            guard match.range(at: 2).location != NSNotFound else { result[name] = []; continue }
            // The dependency list runs to the bracket that closes the one just opened.
            var depth = 1
            var index = Range(match.range, in: text)!.upperBound
            let start = index
            while depth > 0 {
                if text[index] == "[" { depth += 1 } else if text[index] == "]" { depth -= 1 }
                index = text.index(after: index)
            }
            let list = String(text[start..<index])
            // Quoted names are targets or products; the packages named after `package:` are not dependencies.
            let quoted = try NSRegularExpression(pattern: #""([^"]+)""#)
            let deps = Set(
                quoted.matches(in: list, range: NSRange(list.startIndex..., in: list))
                    .map { String(list[Range($0.range(at: 1), in: list)!]) }
            ).subtracting(["swift-argument-parser"])
            result[name] = deps
        }
        return result
    }

    func testNoModuleImportsAboveItsLayer() throws {
        for (target, allowed) in Self.allowed {
            let upward = try Self.imports(of: target).subtracting(allowed)
            XCTAssertTrue(upward.isEmpty, "Sources/\(target) imports \(upward.sorted()), which its layer does not allow")
        }
    }

    func testPackageDeclaresWhatEachTargetImports() throws {
        let declared = try Self.declaredDependencies()
        for target in Self.allowed.keys {
            guard let deps = declared[target] else { return XCTFail("Package.swift has no target \(target)") }
            XCTAssertEqual(deps, try Self.imports(of: target), "Package.swift's dependencies of \(target) differ from its imports")
        }
    }

    func testEveryLibraryTargetIsLayered() throws {
        let declared = try Self.declaredDependencies().keys.filter { !$0.hasPrefix("C") }
        XCTAssertEqual(Set(declared), Set(Self.allowed.keys), "a Swift target is missing from the layering table")
    }

    func testImportLinesAreRecognized() {
        XCTAssertEqual(Self.importedModule("import Metrics"), "Metrics")
        XCTAssertEqual(Self.importedModule("@_exported import Models"), "Models")
        XCTAssertEqual(Self.importedModule("@testable import Workflows"), "Workflows")
        XCTAssertNil(Self.importedModule("// import Metrics"))
        XCTAssertNil(Self.importedModule("let x = 1 // no import here"))
        // An upward import is refused by the table the test uses.
        XCTAssertFalse(Self.allowed["Models"]!.contains("Metrics"))
        XCTAssertFalse(Self.allowed["PerturbData"]!.contains("Models"))
    }
}
