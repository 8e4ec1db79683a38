import Foundation
import XCTest
@testable import AnnData
import LinearAlgebra

/// Where the committed fixtures live.
let fixtureDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("Fixtures/h5ad")

/// The package root (for scripts and the reference Python environment).
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

/// A fresh temporary directory, removed at the end of the test.
func temporaryDirectory(_ test: XCTestCase) throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("perturbkit-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    test.addTeardownBlock { try? FileManager.default.removeItem(at: url) }
    return url
}

/// The expectation JSON that `scripts/reference/make_h5ad_fixtures.py` writes (and `check` reads).
struct Expectation {
    let json: [String: Any]

    init(contentsOf url: URL) throws {
        json = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
    }

    init(describing data: AnnData) {
        func frame(_ df: DataFrame) -> [String: Any] {
            var out: [String: Any] = [:]
            for name in df.columnNames {
                switch df[name]! {
                case .numeric(let v, let t): out[name] = ["kind": "numeric", "dtype": t.rawValue, "values": v]
                case .boolean(let v): out[name] = ["kind": "boolean", "values": v]
                case .string(let v): out[name] = ["kind": "string", "values": v]
                case .categorical(let c):
                    out[name] = [
                        "kind": "categorical", "ordered": c.ordered, "categories": c.categories,
                        "codes": c.codes.map { Int($0) },
                    ]
                // Missing entries read as 0 / false / "" on the Python side (see describe() in the script).
                case .nullableInteger(let v, let m):
                    out[name] = ["kind": "nullable-integer", "values": zip(v, m).map { $1 ? 0 : Int($0) }, "missing": m]
                case .nullableBoolean(let v, let m):
                    out[name] = ["kind": "nullable-boolean", "values": zip(v, m).map { $1 ? false : $0 }, "missing": m]
                case .nullableString(let v, let m):
                    out[name] = ["kind": "nullable-string", "values": zip(v, m).map { $1 ? "" : $0 }, "missing": m]
                }
            }
            return out
        }
        func dense(_ m: CSRMatrix) -> [[Double]] { (0..<m.rows).map { m.denseRow($0).map(Double.init) } }
        json = [
            "shape": [data.cellCount, data.geneCount],
            "X": dense(data.X!),
            "obs_names": data.obs.index, "var_names": data.variables.index,
            "obs": frame(data.obs), "var": frame(data.variables),
            "obsm": data.obsm.mapValues { m in (0..<m.rows).map { m.row($0) } },
            "layers": data.layers.mapValues(dense),
        ]
    }

    func write(to url: URL) throws {
        try JSONSerialization.data(withJSONObject: json, options: [.sortedKeys]).write(to: url)
    }

    var denseX: [[Double]] { json["X"] as! [[Double]] }
    var obsNames: [String] { json["obs_names"] as! [String] }
    var varNames: [String] { json["var_names"] as! [String] }
    func frame(_ name: String) -> [String: [String: Any]] { json[name] as! [String: [String: Any]] }
    var obsm: [String: [[Double]]] { json["obsm"] as! [String: [[Double]]] }
    var layers: [String: [[Double]]] { json["layers"] as! [String: [[Double]]] }
}

/// Asserts that a sparse matrix equals a dense expectation within `tolerance`.
func assertMatrix(
    _ m: CSRMatrix, equals expected: [[Double]], tolerance: Double = 1e-6, _ message: String,
    file: StaticString = #filePath, line: UInt = #line
) {
    XCTAssertEqual(m.rows, expected.count, "\(message): rows", file: file, line: line)
    for (r, row) in expected.enumerated() where r < m.rows {
        let got = m.denseRow(r)
        XCTAssertEqual(got.count, row.count, "\(message): columns", file: file, line: line)
        for (c, want) in row.enumerated() where c < got.count {
            XCTAssertEqual(
                Double(got[c]), want, accuracy: tolerance * max(1, abs(want)), "\(message) [\(r), \(c)]",
                file: file, line: line)
        }
    }
}
