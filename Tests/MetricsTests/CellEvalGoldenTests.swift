import Foundation
import Metrics
import PerturbData
import Statistics
import Support
import XCTest

/// `perturb eval` against cell-eval 0.8.2's own output on the committed fixtures.
final class CellEvalGoldenTests: XCTestCase {
    private func evaluate(
        _ name: String, cellType: String? = nil, embedKey: String? = nil, deReal: String? = nil,
        dePred: String? = nil
    ) throws -> (dir: String, written: [String]) {
        let fixture = evalFixtures.appendingPathComponent(name)
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("eval-\(name)-\(UUID().uuidString)").path
        addTeardownBlock { try? FileManager.default.removeItem(atPath: out) }
        let config = EvaluationConfig(
            realPath: fixture.appendingPathComponent("real.h5ad").path,
            predPath: fixture.appendingPathComponent("pred.h5ad").path, outputDirectory: out,
            columns: DatasetColumns(cellType: cellType), profile: "full", deRealPath: deReal,
            dePredPath: dePred, embedKey: embedKey, threads: 2)
        return (out, try EvaluationRun.run(config, recorder: RunRecorder(command: ["test"])))
    }

    private func compare(_ name: String, dir: String, prefix: String = "") throws {
        let reference = evalFixtures.appendingPathComponent(name).appendingPathComponent("cell-eval").path
        for table in ["real_de.csv", "pred_de.csv"] {
            try assertDEMatch(
                ours: try CSVTable(contentsOf: "\(dir)/\(prefix)\(table)"),
                reference: try CSVTable(contentsOf: "\(reference)/\(prefix)\(table)"))
        }
        for table in ["results.csv", "agg_results.csv"] {
            assertTablesMatch(
                ours: try CSVTable(contentsOf: "\(dir)/\(prefix)\(table)"),
                reference: try CSVTable(contentsOf: "\(reference)/\(prefix)\(table)"))
        }
    }

    func testBasicCaseMatchesCellEval() throws {
        let run = try evaluate("basic")
        try compare("basic", dir: run.dir)
        XCTAssertTrue(FileManager.default.fileExists(atPath: run.dir + "/manifest.json"))
    }

    func testHeavyTiesMatchCellEval() throws {
        let run = try evaluate("ties")
        try compare("ties", dir: run.dir)
    }

    func testPerCellTypeEvaluationMatchesCellEval() throws {
        let run = try evaluate("celltype", cellType: "celltype")
        try compare("celltype", dir: run.dir, prefix: "typeA_")
        try compare("celltype", dir: run.dir, prefix: "typeB_")
    }

    /// Raw counts: both tools normalize (scanpy normalize_total + log1p) before evaluating.
    func testCountsInputMatchesCellEval() throws {
        let run = try evaluate("counts")
        try compare("counts", dir: run.dir)
    }

    func testEmbeddingDiscriminationMatchesCellEval() throws {
        let run = try evaluate("embed", embedKey: "X_emb")
        try compare("embed", dir: run.dir)
    }

    /// Precomputed DE tables (cell-eval's own) give cell-eval's results, and are not rewritten.
    func testPrecomputedDETablesAreUsed() throws {
        let reference = evalFixtures.appendingPathComponent("basic/cell-eval")
        let run = try evaluate(
            "basic", deReal: reference.appendingPathComponent("real_de.csv").path,
            dePred: reference.appendingPathComponent("pred_de.csv").path)
        XCTAssertFalse(FileManager.default.fileExists(atPath: run.dir + "/real_de.csv"))
        for table in ["results.csv", "agg_results.csv"] {
            assertTablesMatch(
                ours: try CSVTable(contentsOf: "\(run.dir)/\(table)"),
                reference: try CSVTable(contentsOf: reference.appendingPathComponent(table).path))
        }
    }

    /// `--fdr-scope global` adjusts all perturbation × gene tests together.
    func testGlobalFDRScope() throws {
        let data = try PerturbationDataset.load(
            path: evalFixtures.appendingPathComponent("basic/real.h5ad").path,
            columns: DatasetColumns())
        let local = DifferentialExpression.run(data, options: DEOptions(fdrScope: .perturbation, threads: 2))
        let global = DifferentialExpression.run(data, options: DEOptions(fdrScope: .global, threads: 2))
        XCTAssertEqual(global.groups.flatMap(\.pValue), local.groups.flatMap(\.pValue))
        XCTAssertEqual(global.groups.flatMap(\.fdr), benjaminiHochberg(local.groups.flatMap(\.pValue)))
        XCTAssertNotEqual(global.groups.flatMap(\.fdr), local.groups.flatMap(\.fdr))
    }

    /// The fixtures exercise what they claim to.
    func testFixturesCoverTheEdgeCases() throws {
        let de = try DETable.read(path: evalFixtures.appendingPathComponent("basic/cell-eval/real_de.csv").path)
        let lfc = de.groups.flatMap(\.log2FoldChange)
        XCTAssertTrue(lfc.contains(.infinity) && lfc.contains(-.infinity), "±inf fold changes")
        let noEffect = de.groups.first { $0.target == "NOEFFECT" }!
        XCTAssertFalse(noEffect.fdr.contains { Float($0) < 0.05 }, "a perturbation without significant genes")
        XCTAssertTrue(de.groups.allSatisfy { $0.pValue[5] == 1 }, "the all-zero gene G5")
        XCTAssertTrue(de.groups.contains { de.features.contains($0.target) }, "perturbations named after genes")
    }
}
