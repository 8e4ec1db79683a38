import Foundation
import XCTest
@testable import AnnData
import LinearAlgebra

/// Files written by the reference anndata (scripts/reference/make_h5ad_fixtures.py) read correctly.
final class PythonFixtureTests: XCTestCase {
    static let fixtures = [
        "dense_f32_all_columns", "dense_f64", "dense_int32", "csr_gzip", "csc_lzf",
        "csr_f64_lzf_messy", "csr_empty_row", "legacy_v06", "legacy_v07",
    ]

    func testEveryFixtureMatchesWhatAnndataRead() throws {
        for name in Self.fixtures {
            let expected = try Expectation(contentsOf: fixtureDirectory.appendingPathComponent("\(name).json"))
            let file = fixtureDirectory.appendingPathComponent("\(name).h5ad").path
            let layers = try H5ADFile(path: file).layerKeys()
            let data = try AnnData.read(path: file, options: ReadOptions(layers: layers))
            assertMatrix(data.X!, equals: expected.denseX, name)
            XCTAssertEqual(data.obs.index, expected.obsNames, name)
            XCTAssertEqual(data.variables.index, expected.varNames, name)
            for frameName in ["obs", "var"] {
                let frame = frameName == "obs" ? data.obs : data.variables
                let columns = expected.frame(frameName)
                XCTAssertEqual(Set(frame.columnNames), Set(columns.keys), "\(name) \(frameName) columns")
                for (column, want) in columns { try assertColumn(frame[column], want, "\(name) \(frameName)['\(column)']") }
            }
            XCTAssertEqual(Set(data.obsm.keys), Set(expected.obsm.keys), name)
            for (key, rows) in expected.obsm {
                // JSON carries 17 significant digits, so compare to the last bit or two, not exactly.
                let array = try XCTUnwrap(data.obsm[key], name)
                XCTAssertEqual(array.rows, rows.count, "\(name) obsm[\(key)]")
                for (r, row) in rows.enumerated() where r < array.rows {
                    for (c, want) in row.enumerated() {
                        XCTAssertEqual(array[r, c], want, accuracy: 1e-15 * max(1, abs(want)), "\(name) obsm[\(key)]")
                    }
                }
            }
            for (key, rows) in expected.layers { assertMatrix(data.layers[key]!, equals: rows, "\(name) layers[\(key)]") }
        }
    }

    private func assertColumn(_ column: Column?, _ want: [String: Any], _ label: String) throws {
        let column = try XCTUnwrap(column, label)
        switch (want["kind"] as! String, column) {
        case ("categorical", .categorical(let c)):
            XCTAssertEqual(c.categories, want["categories"] as! [String], label)
            XCTAssertEqual(c.codes.map { Int($0) }, want["codes"] as! [Int], label)
            XCTAssertEqual(c.ordered, want["ordered"] as! Bool, label)
        case ("numeric", .numeric(let values, let type)):
            let expected = want["values"] as! [Double]
            for (a, b) in zip(values, expected) { XCTAssertEqual(a, b, accuracy: 1e-6 * max(1, abs(b)), label) }
            XCTAssertEqual(type.rawValue, want["dtype"] as! String, label)
        case ("boolean", .boolean(let values)): XCTAssertEqual(values, want["values"] as! [Bool], label)
        case ("string", .string(let values)): XCTAssertEqual(values, want["values"] as! [String], label)
        case ("nullable-integer", .nullableInteger(let values, let missing)):
            let mask = want["missing"] as! [Bool]
            XCTAssertEqual(missing, mask, label)
            XCTAssertEqual(zip(values, mask).map { $1 ? 0 : Int($0) }, want["values"] as! [Int], label)
        case ("nullable-boolean", .nullableBoolean(let values, let missing)):
            let mask = want["missing"] as! [Bool]
            XCTAssertEqual(missing, mask, label)
            XCTAssertEqual(zip(values, mask).map { $1 ? false : $0 }, want["values"] as! [Bool], label)
        case ("nullable-string", .nullableString(let values, let missing)):
            let mask = want["missing"] as! [Bool]
            XCTAssertEqual(missing, mask, label)
            XCTAssertEqual(zip(values, mask).map { $1 ? "" : $0 }, want["values"] as! [String], label)
        case (let kind, let got):
            XCTFail("\(label): anndata read a \(kind) column, we read \(got.typeName)")
        }
    }

    func testMessyCSRIsCanonicalized() throws {
        // Row 0 was written as columns [5, 1, 3, 5] with values [1.5, 0, 2, 0.5]: unsorted, an explicit zero and a
        // duplicate. It must come out as columns [3, 5] with values [2, 2] (duplicates summed, zero dropped).
        let data = try AnnData.read(path: fixtureDirectory.appendingPathComponent("csr_f64_lzf_messy.h5ad").path)
        let X = data.X!
        let span = X.range(ofRow: 0)
        XCTAssertEqual(Array(X.columnIndices[span]), [3, 5])
        XCTAssertEqual(Array(X.values[span]), [2, 2])
        XCTAssertFalse(X.values.contains(0), "no explicit zeros after reading")
    }

    func testFormatsAreWhatTheFixtureNamesSay() throws {
        // Guards against a fixture silently losing the encoding it is meant to cover.
        let csc = try H5ADFile(path: fixtureDirectory.appendingPathComponent("csc_lzf.h5ad").path)
        XCTAssertEqual(try csc.root.group("X").encodingType(), "csc_matrix")
        let dense = try H5ADFile(path: fixtureDirectory.appendingPathComponent("dense_int32.h5ad").path)
        XCTAssertEqual(try dense.root.dataset("X").elementType(), .integer(signed: true, bytes: 4))
    }

    func testUnsSubsetIsReadAndOtherContentsSkipped() throws {
        let file = try H5ADFile(path: fixtureDirectory.appendingPathComponent("dense_f32_all_columns.h5ad").path)
        XCTAssertEqual(
            try file.readUns("nested"),
            .dictionary(["a": .number(1), "b": .string("text"), "c": .dictionary(["d": .array([0, 1, 2], shape: [3])])]))
        XCTAssertNil(try file.readUns("df"), "a dataframe in uns is skipped, not an error")
        XCTAssertNil(try file.readUns("absent"))
    }
}
