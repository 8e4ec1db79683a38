import AnnData
import Foundation
import LinearAlgebra
import PerturbData
import XCTest

@testable import Metrics

/// The reference definitions of `perturb embed-eval` against Tx-Evaluation's own code on its own split
/// (Tests/Fixtures/txeval, made by scripts/reference/make_txeval_fixture.py from a checkout of the reference).
/// kNN (on the raw embedding and after each post-processing), iLISI, consistency and relation recall are
/// deterministic and must agree to rounding; the probe and the
/// decoder are trained from random initializations by different code (Lightning there, ours here), so their mean
/// over five seeds must agree within 0.05 — about two seed standard deviations of the reference itself.
final class TxEvaluationReferenceTests: XCTestCase {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/txeval")

    struct Fixture {
        let cells: EmbeddingCells
        let embedding: Matrix<Double>
        let split: TxEvaluationSplit
        /// (task, metric, setting) → values over seeds.
        let reference: [String: [Double]]

        func values(_ task: String, _ metric: String, _ setting: String = "code") -> [Double] {
            reference["\(task)/\(metric)/\(setting)"] ?? []
        }
    }

    func fixture() throws -> Fixture {
        let path = Self.fixtures.appendingPathComponent("cells.h5ad").path
        let data = try AnnData.read(path: path, options: ReadOptions(obsm: true))
        let cells = try EmbeddingCells(data, columns: DatasetColumns(perturbation: "gene_name", batch: "plate"), path: path)
        let lines = { (name: String) throws -> [[String]] in
            try String(contentsOf: Self.fixtures.appendingPathComponent(name), encoding: .utf8)
                .split(separator: "\n").dropFirst().map { $0.split(separator: ",").map(String.init) }
        }
        var parts: [String: [Int]] = [:]
        for row in try lines("split.csv") { parts[row[0], default: []].append(Int(row[1])!) }
        var reference: [String: [Double]] = [:]
        for row in try lines("reference.csv") { reference["\(row[0])/\(row[1])/\(row[2])", default: []].append(Double(row[4])!) }
        return Fixture(
            cells: cells, embedding: try XCTUnwrap(data.obsm["emb"]),
            split: TxEvaluationSplit(train: parts["train"]!, test1: parts["test1"]!, test2: parts["test2"]!),
            reference: reference)
    }

    func value(_ results: [(String, Double)], _ metric: String) -> Double {
        results.first { $0.0 == metric }?.1 ?? .nan
    }

    func mean(_ xs: [Double]) -> Double { xs.reduce(0, +) / Double(xs.count) }

    func testKNNAndILISIEqualTheReference() throws {
        let f = try fixture()
        var options = EmbeddingTaskOptions()
        options.threads = 2
        let knn = EmbeddingReferenceTasks.knn(f.embedding, f.cells, f.split, options)
        XCTAssertEqual(value(knn, "top1"), f.values("knn", "top1")[0], accuracy: 1e-9)
        XCTAssertEqual(value(knn, "top5"), f.values("knn", "top5")[0], accuracy: 1e-9)
        let ilisi = EmbeddingReferenceTasks.ilisi(f.embedding, f.cells, f.split, options)
        XCTAssertEqual(value(ilisi, "mean"), f.values("ilisi", "mean")[0], accuracy: 1e-4)

        var paper = options
        paper.paperConfiguration()
        let knnPaper = EmbeddingReferenceTasks.knn(f.embedding, f.cells, f.split, paper)
        XCTAssertEqual(value(knnPaper, "top1"), f.values("knn", "top1", "paper")[0], accuracy: 1e-9)
        XCTAssertEqual(value(knnPaper, "top5"), f.values("knn", "top5", "paper")[0], accuracy: 1e-9)
        // iLISI's k stays ⌊√n⌋ in the fixture (k = 251 needs more test cells); only its PCA is switched on.
        var pcaOnly = options
        pcaOnly.reducePCA = true
        let ilisiPCA = EmbeddingReferenceTasks.ilisi(f.embedding, f.cells, f.split, pcaOnly)
        XCTAssertEqual(value(ilisiPCA, "mean"), f.values("ilisi", "mean", "paper")[0], accuracy: 1e-4)
    }

    func testPostprocessingVariantsEqualTheReferenceUnderKNN() throws {
        // Centering, center-scaling and TVN (post_process.py) with the plate as batch; cosine kNN compares them
        // without caring about the sign of TVN's axes. 10 controls per plate, fewer than the 40 dimensions.
        let f = try fixture()
        var options = EmbeddingTaskOptions()
        options.threads = 2
        for variant in [EmbeddingVariant.centered, .centerScaled, .tvn] {
            let x = variant.apply(f.embedding, batches: f.cells.batches, isControl: f.cells.isControl)
            let knn = EmbeddingReferenceTasks.knn(x, f.cells, f.split, options)
            XCTAssertEqual(value(knn, "top1"), f.values("knn", "top1", "code-\(variant.rawValue)")[0], accuracy: 1e-9, "\(variant)")
            XCTAssertEqual(value(knn, "top5"), f.values("knn", "top5", "code-\(variant.rawValue)")[0], accuracy: 1e-9, "\(variant)")
        }
    }

    func testConsistencyAndRecallEqualTheReference() throws {
        let f = try fixture()
        var options = EmbeddingTaskOptions()
        options.relations = [try KnownRelations.read(Self.fixtures.appendingPathComponent("CORUM.txt").path)]
        XCTAssertEqual(f.cells.unexpressedTargets, ["G10", "G11", "G9"])
        let consistency = EmbeddingTasks.consistency(f.embedding, f.cells, options)
        XCTAssertEqual(value(consistency, "fraction_consistent"), f.values("consistency", "fraction_consistent")[0], accuracy: 1e-12)
        XCTAssertEqual(value(consistency, "tested"), f.values("consistency", "tested")[0])
        XCTAssertEqual(value(consistency, "null_from_unexpressed_genes"), 1)
        let recall = EmbeddingTasks.recall(f.embedding, f.cells, options)
        XCTAssertEqual(value(recall, "recall_CORUM"), f.values("relations", "recall_CORUM")[0], accuracy: 1e-12)
        XCTAssertEqual(value(recall, "pairs_CORUM"), f.values("relations", "pairs_CORUM")[0])
    }

    func testTrainedProbeAndDecoderAgreeWithTheReferenceOverSeeds() throws {
        let f = try fixture()
        let targets = EmbeddingTasks.decoderTargets(f.cells, count: 1000)
        XCTAssertEqual(targets.columns, 30)
        var top1: [Double] = [], top5: [Double] = [], spearman: [Double] = [], integrity: [Double] = []
        for seed in 0..<5 {
            var options = EmbeddingTaskOptions()
            options.seed = UInt64(seed)
            options.probeTraining.batchSize = 64
            options.decoderTraining.batchSize = 16
            options.decoderTraining.rate = 1e-2
            let probe = EmbeddingReferenceTasks.probe(f.embedding, f.cells, f.split, options)
            top1.append(value(probe, "top1"))
            top5.append(value(probe, "top5"))
            let decoder = EmbeddingReferenceTasks.reconstruction(f.embedding, f.cells, f.split, targets: targets, options)
            spearman.append(value(decoder, "spearman"))
            integrity.append(value(decoder, "structural_integrity"))
        }
        print("probe top1 \(top1) top5 \(top5); decoder spearman \(spearman) SI \(integrity)")
        XCTAssertEqual(mean(top1), mean(f.values("linear_probe", "top1")), accuracy: 0.05)
        XCTAssertEqual(mean(top5), mean(f.values("linear_probe", "top5")), accuracy: 0.05)
        XCTAssertEqual(mean(spearman), mean(f.values("reconstruction", "spearman_defined")), accuracy: 0.05)
        XCTAssertEqual(mean(integrity), mean(f.values("reconstruction", "structural_integrity")), accuracy: 0.05)
    }

    func testTheSplitFollowsTheReferenceRules() throws {
        let f = try fixture()
        let ours = TxEvaluationSplit(f.cells, trainFraction: 0.7, seed: 3)
        for split in [f.split, ours] {
            let batches = { (part: [Int]) in Set(part.filter { !f.cells.isControl($0) }.map { f.cells.batches[$0] }) }
            let labels = { (part: [Int]) in Set(part.filter { !f.cells.isControl($0) }.map { f.cells.labels[$0] }) }
            XCTAssertEqual(batches(split.train).count, 7)  // ⌊10 × 0.7⌋ plates
            XCTAssertEqual(labels(split.train).count, 8)  // ⌊12 × 0.7⌋ perturbations
            XCTAssertTrue(batches(split.train).isDisjoint(with: batches(split.test1).union(batches(split.test2))))
            XCTAssertEqual(labels(split.test1), labels(split.train))
            XCTAssertTrue(labels(split.test2).isDisjoint(with: labels(split.train)))
            // Each part holds the controls of exactly its plates.
            for part in [split.train, split.test1, split.test2] {
                let controls = Set(part.filter { f.cells.isControl($0) })
                let expected = Set((0..<f.cells.count).filter { f.cells.isControl($0) && batches(part).contains(f.cells.batches[$0]) })
                XCTAssertEqual(controls, expected)
            }
        }
        XCTAssertEqual(ours, TxEvaluationSplit(f.cells, trainFraction: 0.7, seed: 3))
        XCTAssertNotEqual(ours, TxEvaluationSplit(f.cells, trainFraction: 0.7, seed: 4))
    }
}
