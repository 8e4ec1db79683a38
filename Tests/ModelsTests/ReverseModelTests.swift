import AnnData
import Foundation
import LinearAlgebra
import Metrics
import PerturbData
import Support
@testable import Workflows
import XCTest
@testable import Models

/// Reverse models: masking, retrieval on simulated screens, determinism, XGBoost errors and the screen.
final class ReverseModelTests: XCTestCase {
    /// Twelve knockdowns whose only effect is on their own target gene, measured in two batches.
    func knockdownOnly() -> (train: PerturbationDataset, test: PerturbationDataset, targets: [String]) {
        let genes = (0..<30).map { "g\($0)" }
        let targets = Array(genes.prefix(12))
        var rng = SeededRandom(seed: 11)
        func part(_ batch: String) -> PerturbationDataset {
            var rows: [[Float]] = [], labels: [String] = []
            for label in ["ctrl"] + targets {
                for _ in 0..<8 {
                    rows.append(genes.map { gene in Float((gene == label ? 0.3 : 2.0) + rng.normal(mean: 0, sd: 0.1)) })
                    labels.append(label)
                }
            }
            return dataset(rows, labels: labels, genes: genes, batches: labels.map { _ in batch })
        }
        return (part("b1"), part("b2"), targets)
    }

    func meanMRR(_ model: any ReverseModel, _ query: ReverseQuery, universe: [String]) throws -> Double {
        let scores = try model.conditionScores(query)
        return zip(scores, query.profiles.targets).reduce(0.0) {
            $0 + RetrievalMetrics.evaluate(scores: $1.0, targets: Set($1.1), universe: universe).reciprocalRank
        } / Double(scores.count)
    }

    func testMaskingRemovesTheTargetsAndTheirGiveaway() throws {
        let (train, test, targets) = knockdownOnly()
        var results: [Bool: Double] = [:]
        for masked in [false, true] {
            let mask: Set<String> = masked ? Set(targets) : []
            let training = try ReverseTraining(data: train, mask: mask, seed: 0)
            XCTAssertEqual(Set(training.profiles.featureGeneNames).isDisjoint(with: mask), true)
            XCTAssertEqual(training.profiles.featureGenes.count, masked ? 18 : 30)
            var model = try PCAKNNModel(hyperparameters: Hyperparameters(["d": "5", "k": "1"]))
            try model.fit(training)
            results[masked] = try meanMRR(model, try ReverseQuery(data: test, mask: mask, seed: 0), universe: targets)
        }
        // Unmasked, the knocked-down gene names itself; masked, only noise is left (random MRR is 0.26).
        XCTAssertEqual(results[false]!, 1, accuracy: 1e-12)
        XCTAssertLessThan(results[true]!, 0.5)
    }

    func testSeenTargetsAreRecoveredAcrossBatches() throws {
        // 120 cells per condition: at 80 the tree models' MRR sat at 1.9× random on one CPU's BLAS kernels
        // (0.395 and 0.411 against 0.423) and above 2× on another, a margin too thin to test.
        let parts = try simulatedParts(
            singles: 16, doubles: 0, genes: 150, cellsPer: 120, batches: 4,
            strategy: .batch(column: "batch", test: nil, testCount: 1, val: nil, valCount: 1))
        let pairFile = temporaryDirectory("pairs") + "/genes.txt"
        try parts.train.perturbationLabels.prefix(4).joined(separator: "\n").write(toFile: pairFile, atomically: true, encoding: .utf8)
        for spec in [
            "pca-knn", "forward-retrieval:forward=additive", "forward-retrieval:forward=additive,pairs=\(pairFile)",
            "xgboost:rounds=30,d=10", "random-forest:trees=50,d=10",
            "cell-level:cells=40,k=10,d=10",
        ] {
            let s = try ReverseModelSpec(parsing: spec)
            let report = try ReverseEvaluation.run(
                model: s.name, label: s.label, hyperparameters: s.hyperparameters, parts: parts,
                mask: true, universe: .targets, seed: 1)
            let all = report.summaries[0]
            XCTAssertEqual(all.tier, "all")
            XCTAssertEqual(report.summaries.map(\.tier), ["all", "seen single"], spec)
            XCTAssertEqual(report.maskedGenes, 16)
            XCTAssertGreaterThan(all.mean.reciprocalRank, 2 * all.random.reciprocalRank, spec)
        }
    }

    func testForwardRetrievalNamesUnseenTargetsAndIsDeterministic() throws {
        let parts = try simulatedParts(
            singles: 40, doubles: 0, genes: 300, cellsPer: 40, moduleSize: 25,
            strategy: .unseenPerturbation(val: 0.15, test: 0.3))
        func run(_ spec: String, seed: UInt64 = 2) throws -> RetrievalSummary {
            let s = try ReverseModelSpec(parsing: spec)
            return try ReverseEvaluation.run(
                model: s.name, hyperparameters: s.hyperparameters, parts: parts, mask: true,
                universe: .targets, seed: seed
            ).summaries[0]
        }
        let forward = try run("forward-retrieval:forward=linear-pca,distance=cosine")
        let knn = try run("pca-knn")
        XCTAssertGreaterThan(forward.mean.reciprocalRank, 2 * forward.random.reciprocalRank)
        // Trained only on other targets, pca-knn ranks every unseen one at the bottom: below random.
        XCTAssertLessThan(knn.mean.reciprocalRank, knn.random.reciprocalRank)
        let boosted = try run("xgboost:rounds=20,d=8"), again = try run("xgboost:rounds=20,d=8")
        XCTAssertEqual(boosted.mean, again.mean)
    }

    func testBoosterRefusesBadShapesWithAnError() throws {
        let x = Matrix<Float>(rows: 4, columns: 2, storage: [0, 1, 1, 0, 2, 1, 3, 0])
        let y = Matrix<Float>(rows: 4, columns: 2, storage: [1, 0, 0, 1, 1, 0, 0, 1])
        let booster = try Booster(features: x, labels: y, parameters: ["min_child_weight": "0"], rounds: 5)
        XCTAssertEqual(try booster.predict(x).rows, 4)
        XCTAssertThrowsError(try booster.predict(Matrix<Float>(rows: 1, columns: 3))) { error in
            XCTAssertTrue("\(error)".contains("expected 2 features"), "\(error)")
        }
        XCTAssertThrowsError(try Booster(features: x, labels: y, parameters: ["max_depth": "-3"], rounds: 1)) { error in
            XCTAssertTrue(error is XGBoostError, "\(error)")
        }
    }

    func testScreenRanksTheCausalKnockdownFirst() throws {
        let (train, _, targets) = knockdownOnly()
        var model = try AdditiveModel(hyperparameters: Hyperparameters())
        try model.fit(train, validation: nil, context: FitContext(seed: 0))
        let control = try ConditionDeltas(train).controlMean(for: CellContext())
        var wanted = control
        wanted[5] = 0.3  // the state g5's knockdown produces
        let screen = InSilicoScreen(genes: train.genes, source: control, target: wanted)
        let hits = try screen.rank(
            model,
            candidates: InSilicoScreen.candidates(
                model: model, trainingPerturbations: targets,
                listed: nil, pairs: false))
        XCTAssertEqual(hits.first?.perturbation, "g5")
        XCTAssertEqual(hits.first?.topGenes.first?.gene, "g5")
        XCTAssertLessThan(hits[0].distance, screen.baselineDistance)
        XCTAssertEqual(
            InSilicoScreen.candidates(model: model, trainingPerturbations: [], listed: ["g1", "g2", "g3"], pairs: true),
            ["g1", "g2", "g3", "g1+g2", "g1+g3", "g2+g3"])
    }

    func testUnknownAndMalformedModelsAreRefused() {
        XCTAssertThrowsError(try reverseModels.make("pca-knnn"))
        XCTAssertThrowsError(try ReverseModelSpec(parsing: "pca-knn:k"))
        XCTAssertEqual(try ReverseModelSpec(parsing: "pca-knn:k=3,d=4").hyperparameters, Hyperparameters(["k": "3", "d": "4"]))
        XCTAssertThrowsError(try reverseModels.make("pca-knn", hyperparameters: Hyperparameters(["metric": "manhattan"])))
        XCTAssertThrowsError(try reverseModels.make("forward-retrieval", hyperparameters: Hyperparameters(["forward": "nope"])))
        XCTAssertThrowsError(try reverseModels.make("cell-level", hyperparameters: Hyperparameters(["base": "cell-level"])))
        XCTAssertThrowsError(try reverseModels.make("forward-retrieval", hyperparameters: Hyperparameters(["pairs": "/no/such/file"]))) {
            XCTAssertTrue("\($0)".contains("/no/such/file"), "\($0)")
        }
    }
}

/// Norman 2019 from ../shared/realdata (skipped where absent): seen doubles are retrieved above random.
final class ReverseRealDataTests: XCTestCase {
    func testNormanSeenDoublesAreRetrievedAboveRandom() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("shared/realdata/perturbench_devel/devel.h5ad").path
        guard FileManager.default.fileExists(atPath: path) else { throw XCTSkip("real data not present: \(path)") }
        var options = PrepOptions(columns: DatasetColumns(perturbation: "perturbation", control: "control"))
        options.qc.keep = ("dataset", ["norman19"])
        let (prepped, _) = try Preprocessing.run(try AnnData.read(path: path), options: options, path: path)
        let cells = try SplitCells(obs: prepped.obs, columns: options.columns, path: path)
        let split = try Split.make(cells, strategy: .combo(unseenSingles: 0.1, val: 0.16, test: 0.2), seed: 0).hashed()
        let parts = try SplitParts(data: prepped, path: path, split: split)
        let report = try ReverseEvaluation.run(
            model: "pca-knn", hyperparameters: Hyperparameters(), parts: parts, mask: true,
            universe: .targets, seed: 0)
        let seen = report.summaries.filter { $0.tier == "seen1" || $0.tier == "seen2" }
        XCTAssertFalse(seen.isEmpty)
        for summary in seen {
            XCTAssertGreaterThan(summary.mean.reciprocalRank, 2 * summary.random.reciprocalRank, summary.tier)
        }
    }
}
