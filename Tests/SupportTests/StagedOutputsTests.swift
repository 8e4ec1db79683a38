import Foundation
import XCTest
@testable import Support

/// Outputs written as one unit: all or nothing under the final names, the marker last, leftovers of killed runs
/// removed by the next run.
final class StagedOutputsTests: XCTestCase {
    var directory = ""

    override func setUpWithError() throws {
        directory = NSTemporaryDirectory() + "staged-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: directory) }

    func names() throws -> [String] { try FileManager.default.contentsOfDirectory(atPath: directory).sorted() }

    /// A process id that no longer exists (a child that has exited and been reaped).
    func deadPID() throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/true")
        try process.run()
        process.waitUntilExit()
        XCTAssertFalse(StagedOutputs.isAlive(process.processIdentifier))
        return process.processIdentifier
    }

    func testNothingAppearsUntilCommitThenEverythingWithTheMarker() throws {
        try AtomicFile.write("old results", to: directory + "/results.csv")
        try AtomicFile.write("old manifest", to: directory + "/manifest.json")
        let stage = try StagedOutputs(directory: directory)
        try AtomicFile.write("new results", to: stage.path("results.csv"))
        try AtomicFile.write("new de", to: stage.path("real_de.csv"))
        // Before the commit (a kill here): the previous complete set, nothing of this run under a final name.
        XCTAssertEqual(try String(contentsOfFile: directory + "/results.csv", encoding: .utf8), "old results")
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory + "/real_de.csv"))
        XCTAssertThrowsError(try stage.commit()) { XCTAssertTrue("\($0)".contains("manifest.json"), "\($0)") }
        XCTAssertEqual(try String(contentsOfFile: directory + "/manifest.json", encoding: .utf8), "old manifest")
        try AtomicFile.write("new manifest", to: stage.path("manifest.json"))
        try stage.commit()
        XCTAssertEqual(try names(), ["manifest.json", "real_de.csv", "results.csv"])
        for (name, text) in [("manifest.json", "new manifest"), ("real_de.csv", "new de"), ("results.csv", "new results")] {
            XCTAssertEqual(try String(contentsOfFile: directory + "/" + name, encoding: .utf8), text)
        }
    }

    func testLeftoversOfKilledRunsAreRemovedAndLiveOnesKept() throws {
        let dead = try deadPID()
        let manager = FileManager.default
        try manager.createDirectory(atPath: directory + "/.staging-\(dead)-17", withIntermediateDirectories: false)
        try AtomicFile.write("partial", to: directory + "/.staging-\(dead)-17/real_de.csv")
        try AtomicFile.write("partial", to: directory + "/.real_de.csv.tmp-\(dead)-123")
        let live = getpid()
        try manager.createDirectory(atPath: directory + "/.staging-\(live)-5", withIntermediateDirectories: false)
        try AtomicFile.write("being written", to: directory + "/.results.csv.tmp-\(live)-9")
        try AtomicFile.write("a user's file", to: directory + "/.notes.tmp-\(dead)")
        let stage = try StagedOutputs(directory: directory)
        let left = try names()
        XCTAssertFalse(left.contains(".staging-\(dead)-17"), "\(left)")
        XCTAssertFalse(left.contains(".real_de.csv.tmp-\(dead)-123"), "\(left)")
        for kept in [".staging-\(live)-5", ".results.csv.tmp-\(live)-9", ".notes.tmp-\(dead)"] {
            XCTAssertTrue(left.contains(kept), "\(kept) not in \(left)")
        }
        stage.abandon()
        XCTAssertFalse(manager.fileExists(atPath: stage.staging))
    }

    func testAFileInTheWayIsAClearError() throws {
        let file = directory + "/results"
        try AtomicFile.write("x", to: file)
        XCTAssertThrowsError(try StagedOutputs(directory: file)) {
            XCTAssertEqual("\($0)", "\(file): is a file, but the output must be a directory (choose another -o)")
        }
    }

    func testAtomicCopy() throws {
        try AtomicFile.write("table", to: directory + "/a.csv")
        try AtomicFile.copy(from: directory + "/a.csv", to: directory + "/b.csv")
        XCTAssertEqual(try String(contentsOfFile: directory + "/b.csv", encoding: .utf8), "table")
        XCTAssertThrowsError(try AtomicFile.copy(from: directory + "/missing.csv", to: directory + "/c.csv"))
        XCTAssertEqual(try names(), ["a.csv", "b.csv"])
    }
}
