import Foundation
import Metrics
import Support
import XCTest

/// Tests/Fixtures/eval: small real/pred pairs and cell-eval 0.8.2's outputs for them
/// (scripts/reference/make_eval_fixtures.py).
let evalFixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Fixtures/eval")

/// A CSV cell as an optional number (empty = null).
func number(_ cell: String) -> Double? {
    if cell.isEmpty { return nil }
    if cell == "NaN" || cell == "nan" { return .nan }
    return Double(cell)
}

/// Asserts two numbers agree: null with null, NaN with NaN, ±inf exactly, else within `absolute` or
/// `relative`.
func assertClose(
    _ ours: Double?, _ theirs: Double?, absolute: Double = 1e-6, relative: Double = 0,
    _ what: @autoclosure () -> String, file: StaticString = #filePath, line: UInt = #line
) {
    switch (ours, theirs) {
    case (nil, nil): return
    case let (a?, b?):
        if a.isNaN && b.isNaN { return }
        if a.isInfinite || b.isInfinite { XCTAssertEqual(a, b, what(), file: file, line: line); return }
        let tolerance = max(absolute, relative * abs(b))
        XCTAssertLessThanOrEqual(abs(a - b), tolerance, "\(what()): ours \(a), cell-eval \(b)", file: file, line: line)
    default:
        XCTFail("\(what()): ours \(String(describing: ours)), cell-eval \(String(describing: theirs))", file: file, line: line)
    }
}

/// Compares a results/agg table (first column = row label) against cell-eval's, column by column.
func assertTablesMatch(
    ours: CSVTable, reference: CSVTable, tolerance: Double = 1e-6,
    file: StaticString = #filePath, line: UInt = #line
) {
    XCTAssertEqual(ours.header, reference.header, "columns and order of \(reference.path)", file: file, line: line)
    XCTAssertEqual(
        ours.rows.map { $0[0] }, reference.rows.map { $0[0] }, "row labels of \(reference.path)",
        file: file, line: line)
    for (c, name) in ours.header.enumerated().dropFirst() {
        guard let rc = reference.header.firstIndex(of: name) else { continue }
        for r in 0..<min(ours.rows.count, reference.rows.count) {
            assertClose(
                number(ours.rows[r][c]), number(reference.rows[r][rc]), absolute: tolerance,
                "\(reference.path) \(reference.rows[r][0]) \(name)", file: file, line: line)
        }
    }
}

/// Compares a DE table against pdex's: same rows in order, p-values and FDR to 1e-9 relative, fold changes and
/// means to float32 precision, significant sets exactly.
func assertDEMatch(ours: CSVTable, reference: CSVTable, file: StaticString = #filePath, line: UInt = #line) throws {
    XCTAssertEqual(ours.header, reference.header, file: file, line: line)
    XCTAssertEqual(ours.rows.count, reference.rows.count, "rows of \(reference.path)", file: file, line: line)
    let col = { (name: String) in reference.header.firstIndex(of: name)! }
    var ourSignificant = Set<String>(), theirSignificant = Set<String>()
    for r in 0..<min(ours.rows.count, reference.rows.count) {
        let a = ours.rows[r], b = reference.rows[r]
        let key = "\(b[0])/\(b[1])"
        XCTAssertEqual(a[0], b[0], file: file, line: line)
        XCTAssertEqual(a[1], b[1], file: file, line: line)
        for name in ["p_value", "fdr"] {
            assertClose(
                number(a[col(name)]), number(b[col(name)]), absolute: 1e-300, relative: 1e-9, "\(key) \(name)",
                file: file, line: line)
        }
        for name in ["target_mean", "ref_mean", "log2_fold_change", "percent_change", "statistic"] {
            assertClose(
                number(a[col(name)]), number(b[col(name)]), absolute: 1e-6, relative: 1e-6, "\(key) \(name)",
                file: file, line: line)
        }
        XCTAssertEqual(a[col("target_membership")], b[col("target_membership")], file: file, line: line)
        XCTAssertEqual(a[col("ref_membership")], b[col("ref_membership")], file: file, line: line)
        if Float(number(a[col("fdr")])!) < Float(0.05) { ourSignificant.insert(key) }
        if Float(number(b[col("fdr")])!) < Float(0.05) { theirSignificant.insert(key) }
    }
    XCTAssertEqual(ourSignificant, theirSignificant, "significant genes of \(reference.path)", file: file, line: line)
}
