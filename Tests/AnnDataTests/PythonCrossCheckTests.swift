import Foundation
import XCTest
@testable import AnnData
import LinearAlgebra

/// Files we write are opened by the reference anndata (through scripts/reference/make_h5ad_fixtures.py check),
/// which must see the same values, with categoricals as categoricals.
final class PythonCrossCheckTests: XCTestCase {
    /// The Python with the pinned reference packages: $PERTURBKIT_REFERENCE_PYTHON or .venv-ref/bin/python.
    static func referencePython() -> String? {
        if let path = ProcessInfo.processInfo.environment["PERTURBKIT_REFERENCE_PYTHON"], !path.isEmpty { return path }
        let local = packageRoot.appendingPathComponent(".venv-ref/bin/python").path
        return FileManager.default.isExecutableFile(atPath: local) ? local : nil
    }

    func testAnndataReadsWhatWeWrite() throws {
        guard let python = Self.referencePython() else {
            throw XCTSkip("reference Python not installed (run scripts/setup-reference or set PERTURBKIT_REFERENCE_PYTHON)")
        }
        let directory = try temporaryDirectory(self)
        for (seed, options) in [
            (UInt64(3), WriteOptions()), (4, WriteOptions(gzipLevel: 4)),
            (5, WriteOptions(gzipLevel: 4, denseX: true)),
        ] {
            let data = RoundTripTests.randomObject(seed: seed)
            let path = directory.appendingPathComponent("ours-\(seed).h5ad")
            let expected = directory.appendingPathComponent("ours-\(seed).json")
            try data.write(to: path.path, options: options)
            try Expectation(describing: data).write(to: expected)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: python)
            process.arguments = [
                packageRoot.appendingPathComponent("scripts/reference/make_h5ad_fixtures.py").path,
                "check", path.path, expected.path,
            ]
            let pipe = Pipe()
            process.standardOutput = pipe
            process.standardError = pipe
            try process.run()
            let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            XCTAssertEqual(process.terminationStatus, 0, "anndata disagrees (seed \(seed)): \(output)")
        }
    }
}
