import Foundation
import LinearAlgebra
import XCTest

@testable import Metrics

/// `tvn` against Tx-Evaluation's `tvn_on_controls` computed with scikit-learn and scipy
/// (Tests/Fixtures/embed/tvn.csv, made by scripts/reference/make_tvn_fixture.py; label P0 is the control).
final class TVNReferenceTests: XCTestCase {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/embed")

    func table(_ name: String) throws -> [[String]] {
        try String(contentsOf: Self.fixtures.appendingPathComponent(name), encoding: .utf8)
            .split(separator: "\n").dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
    }

    func testTVNMatchesTheReferenceUpToTheSignOfEachAxis() throws {
        let cells = try table("cells.csv")
        let reference = try table("tvn.csv")
        for (case_, keepControls) in [("all", Int.max), ("few", 3)] {
            // The case's cells: every cell, or every cell but only the first `keepControls` controls of each batch.
            var seen: [String: Int] = [:]
            let kept = cells.filter { row in
                guard row[2] == "P0" else { return true }
                seen[row[1], default: 0] += 1
                return seen[row[1]]! <= keepControls
            }
            let x = Matrix(rowArrays: kept.map { $0[3...].map { Double($0)! } })
            let ours = EmbeddingVariant.tvn.apply(x, batches: kept.map { $0[1] }, isControl: { kept[$0][2] == "P0" })
            let expected = reference.filter { $0[0] == case_ }
            XCTAssertEqual(expected.map { $0[1] }, kept.map { $0[0] }, case_)
            let golden = Matrix(rowArrays: expected.map { $0[2...].map { Double($0)! } })
            XCTAssertEqual(ours.columns, golden.columns, case_)
            var worst = 0.0
            for j in 0..<golden.columns {
                // A principal axis has no sign of its own: match each column's sign on its largest value.
                let anchor = (0..<golden.rows).max { abs(golden[$0, j]) < abs(golden[$1, j]) }!
                let sign = ours[anchor, j] * golden[anchor, j] >= 0 ? 1.0 : -1.0
                for i in 0..<golden.rows { worst = max(worst, abs(sign * ours[i, j] - golden[i, j])) }
            }
            XCTAssertLessThan(worst, 1e-9, "\(case_): largest difference \(worst)")
        }
    }
}
