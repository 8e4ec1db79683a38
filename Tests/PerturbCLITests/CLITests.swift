import Foundation
import XCTest

/// Runs the built `perturb` binary as a user would and checks exit codes, messages and outputs.
final class CLITests: XCTestCase {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let fixtures = packageRoot.appendingPathComponent("Tests/Fixtures/h5ad")

    struct Result {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    var binary: URL {
        let candidates = [
            Bundle.main.bundleURL.appendingPathComponent("perturb"),
            Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("perturb"),
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? candidates[0]
    }

    func perturb(_ arguments: [String]) throws -> Result {
        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let stdout = out.fileHandleForReading.readDataToEndOfFile()
        let stderr = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus, stdout: String(decoding: stdout, as: UTF8.self),
            stderr: String(decoding: stderr, as: UTF8.self))
    }

    func directory() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("perturb-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }

    func assertFails(_ arguments: [String], mentioning words: [String], file: StaticString = #filePath, line: UInt = #line) throws {
        let result = try perturb(arguments)
        XCTAssertNotEqual(result.status, 0, "\(arguments) must fail", file: file, line: line)
        for word in words {
            XCTAssertTrue(result.stderr.contains(word), "stderr names '\(word)': \(result.stderr)", file: file, line: line)
        }
    }

    func testSimulateThenInspect() throws {
        let dir = try directory()
        let path = dir.appendingPathComponent("sim.h5ad").path
        let sim = try perturb([
            "simulate", "--perturbations", "8", "--doubles", "2", "--cells-per", "30", "--genes", "120",
            "--cell-types", "2", "--seed", "5", "--quiet", "-o", path,
        ])
        XCTAssertEqual(sim.status, 0, sim.stderr)
        XCTAssertEqual(sim.stderr, "", "--quiet prints nothing")
        XCTAssertTrue(FileManager.default.fileExists(atPath: path + ".manifest.json"))
        let inspect = try perturb(["inspect", path, "--celltype-col", "cell_type", "--quiet"])
        XCTAssertEqual(inspect.status, 0, inspect.stderr)
        XCTAssertTrue(inspect.stdout.contains("10 labels besides control 'non-targeting'"), inspect.stdout)
        XCTAssertTrue(inspect.stdout.contains("2 of them combinations"), inspect.stdout)
        XCTAssertTrue(inspect.stdout.contains("scale         counts"), inspect.stdout)
        let json = try perturb(["inspect", path, "--json", "--quiet"])
        let summary = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as! [String: Any]
        XCTAssertEqual(summary["controlCells"] as? Int, 300)
        // Same seed, same file contents.
        let again = dir.appendingPathComponent("again.h5ad").path
        XCTAssertEqual(
            try perturb([
                "simulate", "--perturbations", "8", "--doubles", "2", "--cells-per", "30", "--genes", "120",
                "--cell-types", "2", "--seed", "5", "--quiet", "-o", again,
            ]).status, 0)
        XCTAssertEqual(
            try Data(contentsOf: URL(fileURLWithPath: again)), try Data(contentsOf: URL(fileURLWithPath: path)),
            "same seed, byte-identical file")
    }

    func testProgressGoesToStderr() throws {
        let path = try directory().appendingPathComponent("p.h5ad").path
        let result = try perturb(["simulate", "--perturbations", "5", "--cells-per", "20", "--genes", "50", "-o", path])
        XCTAssertEqual(result.status, 0)
        XCTAssertTrue(result.stderr.contains("cells/s"), result.stderr)
        XCTAssertEqual(result.stdout, "")
    }

    func testErrorsNameFileAndFieldAndExitNonZero() throws {
        try assertFails(["inspect", "/nonexistent/x.h5ad"], mentioning: ["/nonexistent/x.h5ad", "no such file"])
        let dir = try directory()
        let text = dir.appendingPathComponent("notes.h5ad").path
        try "hello".write(toFile: text, atomically: true, encoding: .utf8)
        try assertFails(["inspect", text], mentioning: [text, "not an HDF5 file"])
        let notAnnData = Self.fixtures.appendingPathComponent("not_anndata.h5").path
        try assertFails(["inspect", notAnnData], mentioning: [notAnnData, "not an AnnData file"])
        let coo = Self.fixtures.appendingPathComponent("unsupported_x.h5ad").path
        try assertFails(["inspect", coo], mentioning: ["'X'", "coo_matrix"])
        let fixture = Self.fixtures.appendingPathComponent("csr_gzip.h5ad").path
        try assertFails(["inspect", fixture, "--pert-col", "guide"], mentioning: [fixture, "'guide'", "target_gene"])
        try assertFails(["inspect", fixture, "--control", "ctrl"], mentioning: ["'ctrl'", "'non-targeting'", "--control"])
        try assertFails(["inspect", fixture, "--layer", "spliced"], mentioning: ["layers/spliced", "counts"])
        // Issue 26: `--threads -1` said "Missing value"; 0 and -1 were silently taken as 1.
        for bad in ["-1", "0", "100000"] {
            try assertFails(["inspect", fixture, "--threads", bad], mentioning: ["--threads", "from 1 to 4096, not \(bad)"])
        }
        XCTAssertEqual(try perturb(["inspect", fixture, "--threads", "1", "--quiet"]).status, 0)
    }

    func testFailedSimulationLeavesNoOutput() throws {
        let path = try directory().appendingPathComponent("bad.h5ad").path
        try assertFails(["simulate", "--perturbations", "100", "--genes", "50", "-o", path], mentioning: ["--perturbations"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: path))
        let missingDir = "/nonexistent-dir/out.h5ad"
        try assertFails(["simulate", "--perturbations", "2", "--genes", "20", "--quiet", "-o", missingDir], mentioning: [missingDir])
    }
}
