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
            let (status, output) = try Self.fixtureScript(python, ["check", path.path, expected.path])
            XCTAssertEqual(status, 0, "anndata disagrees (seed \(seed)): \(output)")
        }
    }

    /// scanpy's first steps (PCA, rank_genes_groups with wilcoxon and t-test) run on a sparse file we write. Before
    /// issue 26 our int32 indices beside int64 indptr made scikit-learn's sparse PCA kernel fail ("Buffer dtype
    /// mismatch, expected 'const int32_t' but got 'long'").
    func testScanpyRunsOnWhatWeWrite() throws {
        guard let python = Self.referencePython() else {
            throw XCTSkip("reference Python not installed (run scripts/setup-reference or set PERTURBKIT_REFERENCE_PYTHON)")
        }
        let (rows, columns) = (60, 40)
        var builder = CSRBuilder(columns: columns)
        for r in 0..<rows {
            for c in 0..<columns where (r * 31 + c * 17) % 5 != 0 {
                builder.append(column: Int32(c), value: Float(log1p(Double((r * 7 + c * 13 + (r % 3) * c) % 23))))
            }
            builder.finishRow()
        }
        var obs = DataFrame(index: (0..<rows).map { "c\($0)" })
        try obs.setColumn("perturbation", .categorical(Categorical(labels: (0..<rows).map { ["ctrl", "A", "B"][$0 % 3] })))
        let data = AnnData(X: builder.build(), obs: obs, variables: DataFrame(index: (0..<columns).map { "g\($0)" }))
        let path = try temporaryDirectory(self).appendingPathComponent("scanpy.h5ad")
        try data.write(to: path.path)
        let (status, output) = try Self.fixtureScript(python, ["scanpy", path.path, "perturbation"])
        if output.contains("No module named 'scanpy'") && ProcessInfo.processInfo.environment["CI"] != "true" {
            throw XCTSkip("scanpy missing from the reference Python (rerun scripts/setup-reference)")
        }
        XCTAssertEqual(status, 0, output)
    }

    /// Runs scripts/reference/make_h5ad_fixtures.py with `arguments`; returns its exit status and its output.
    static func fixtureScript(_ python: String, _ arguments: [String]) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = [packageRoot.appendingPathComponent("scripts/reference/make_h5ad_fixtures.py").path] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, output)
    }
}
