import Foundation
import XCTest
@testable import AnnData
import LinearAlgebra

/// Property-style round trips: random matrices and frames written by us and read back unchanged.
final class RoundTripTests: XCTestCase {
    /// A small deterministic generator so the cases are reproducible without PerturbData.
    struct LCG {
        var state: UInt64
        mutating func next() -> UInt64 { state = state &* 6364136223846793005 &+ 1442695040888963407; return state >> 33 }
        mutating func unit() -> Double { Double(next() % 1_000_000) / 1_000_000 }
        mutating func int(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    }

    static func randomObject(seed: UInt64) -> AnnData {
        var rng = LCG(state: seed)
        let rows = 1 + rng.int(40), columns = 1 + rng.int(30)
        let density = rng.unit()
        var builder = CSRBuilder(columns: columns)
        for _ in 0..<rows {
            for c in 0..<columns where rng.unit() < density {
                builder.append(column: Int32(c), value: Float(rng.int(1000)) / 7 - 50)
            }
            builder.finishRow()
        }
        var obs = DataFrame(index: (0..<rows).map { "c\($0)-ü" })
        let labels = (0..<rows).map { _ in ["ctrl", "A", "B", "A+B", "naïve"][rng.int(5)] }
        try! obs.setColumn("perturbation", .categorical(Categorical(labels: labels)))
        try! obs.setColumn(
            "ordered_cat",
            .categorical(
                try! Categorical(
                    codes: (0..<rows).map { _ in Int32(rng.int(3)) - 1 },
                    categories: ["lo", "mid", "hi"], ordered: true)))
        try! obs.setColumn("score", .numeric((0..<rows).map { _ in rng.unit() * 1e3 }, .float64))
        try! obs.setColumn("score32", .numeric((0..<rows).map { _ in Double(Float(rng.unit())) }, .float32))
        try! obs.setColumn("count", .numeric((0..<rows).map { _ in Double(rng.int(100_000)) }, .int64))
        try! obs.setColumn("small", .numeric((0..<rows).map { _ in Double(rng.int(100)) - 50 }, .int32))
        try! obs.setColumn("flag", .boolean((0..<rows).map { _ in rng.int(2) == 1 }))
        try! obs.setColumn("text", .string((0..<rows).map { _ in "t\(rng.int(9))" }))
        try! obs.setColumn(
            "maybe_int",
            .nullableInteger(
                (0..<rows).map { _ in Int64(rng.int(9)) },
                missing: (0..<rows).map { _ in rng.int(4) == 0 }))
        try! obs.setColumn(
            "maybe_bool",
            .nullableBoolean(
                (0..<rows).map { _ in rng.int(2) == 0 },
                missing: (0..<rows).map { _ in rng.int(4) == 0 }))
        try! obs.setColumn(
            "maybe_text",
            .nullableString(
                (0..<rows).map { "s\($0)" },
                missing: (0..<rows).map { _ in rng.int(4) == 0 }))
        var variables = DataFrame(index: (0..<columns).map { "GENE\($0)" })
        try! variables.setColumn("highly_variable", .boolean((0..<columns).map { _ in rng.int(2) == 0 }))
        let X = builder.build()
        let pca = Matrix<Double>(rows: rows, columns: 3, storage: (0..<(rows * 3)).map { _ in rng.unit() - 0.5 })
        return AnnData(
            X: X, obs: obs, variables: variables, obsm: ["X_pca": pca], layers: ["counts": X.mappingValues(abs)],
            uns: [
                "info": .dictionary([
                    "seed": .number(Double(seed)), "names": .strings(["a", "b"]),
                    "grid": .array([1, 2, 3, 4, 5, 6], shape: [2, 3]), "what": .string("x"),
                ])
            ])
    }

    func testRandomObjectsSurviveEveryWriteMode() throws {
        let directory = try temporaryDirectory(self)
        for seed in UInt64(1)...8 {
            let original = Self.randomObject(seed: seed)
            for (mode, options) in [
                ("plain", WriteOptions()), ("gzip", WriteOptions(gzipLevel: 6)),
                ("dense", WriteOptions(gzipLevel: 1, denseX: true)),
            ] {
                let path = directory.appendingPathComponent("rt-\(seed)-\(mode).h5ad").path
                try original.write(to: path, options: options)
                let back = try AnnData.read(path: path, options: ReadOptions(layers: ["counts"], uns: ["info"]))
                let label = "seed \(seed) \(mode)"
                XCTAssertEqual(back.X, original.X, label)
                XCTAssertEqual(back.obs, original.obs, label)
                XCTAssertEqual(back.variables, original.variables, label)
                XCTAssertEqual(back.obsm, original.obsm, label)
                XCTAssertEqual(back.layers, original.layers, label)
                XCTAssertEqual(back.uns, original.uns, label)
            }
        }
    }

    func testEmptyFramesAndAllZeroMatrixRoundTrip() throws {
        let directory = try temporaryDirectory(self)
        let data = AnnData(
            X: CSRMatrix(zeros: 3, columns: 4), obs: DataFrame(index: ["a", "b", "c"]),
            variables: DataFrame(index: ["g1", "g2", "g3", "g4"]))
        let path = directory.appendingPathComponent("zeros.h5ad").path
        try data.write(to: path)
        let back = try AnnData.read(path: path)
        XCTAssertEqual(back.X, data.X)
        XCTAssertEqual(back.obs.columnNames, [])
        XCTAssertEqual(back.variables.index, ["g1", "g2", "g3", "g4"])
    }

    func testLayerCanBeReadAsTheMatrix() throws {
        let directory = try temporaryDirectory(self)
        let original = Self.randomObject(seed: 42)
        let path = directory.appendingPathComponent("layer.h5ad").path
        try original.write(to: path)
        let back = try AnnData.read(path: path, options: ReadOptions(matrix: .layer("counts")))
        XCTAssertEqual(back.X, original.layers["counts"])
    }

    func testChunkedReadOfMatrixLargerThanOneBlock() throws {
        // More stored entries than one read block, so the streaming path crosses block boundaries.
        let directory = try temporaryDirectory(self)
        let rows = 2100, columns = 2048
        var builder = CSRBuilder(columns: columns, expectedNonZeros: rows * columns)
        for r in 0..<rows {
            for c in 0..<columns { builder.append(column: Int32(c), value: Float((r * 7 + c * 13) % 97 + 1)) }
            builder.finishRow()
        }
        let X = builder.build()
        XCTAssertGreaterThan(X.nonZeroCount, readBlockEntries)
        let data = AnnData(
            X: X, obs: DataFrame(index: (0..<rows).map { "c\($0)" }),
            variables: DataFrame(index: (0..<columns).map { "g\($0)" }))
        for options in [WriteOptions(gzipLevel: 1), WriteOptions(gzipLevel: 1, denseX: true)] {
            let path = directory.appendingPathComponent("big.h5ad").path
            try data.write(to: path, options: options)
            XCTAssertEqual(try AnnData.read(path: path).X, X)
        }
    }
}
