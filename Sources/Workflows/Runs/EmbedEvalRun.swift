import AnnData
import Foundation
import LinearAlgebra
import Metrics
import PerturbData
import Support

/// `perturb embed-eval` as one job: read the data, build the embeddings to score (PCA of the log-normalized data,
/// PCA of the raw counts when X holds counts, and a random baseline unless left out, and any given ones), run the
/// six-task hierarchy on each, write `table.csv`, `scores.csv` and the manifest.
public struct EmbedEvalRun: Sendable {
    /// The .h5ad file.
    public var data: String
    public var columns: DatasetColumns
    /// Embeddings to score: obsm keys, `FILE.h5ad:KEY`, or CSV files.
    public var embeddings: [String]
    /// PCA components (and the random embedding's dimension).
    public var components: Int
    public var includePCA: Bool
    public var includeRandom: Bool
    /// Known-relation files (CORUM, GMT, gene pairs).
    public var relations: [String]
    /// Folds standing in for batches when there is no batch column.
    public var folds: Int
    /// Seeds run, from `options.seed` on: each draws its own split, folds and random embedding; the table reports
    /// mean ± std over them.
    public var seeds: Int
    /// Task options (definitions, reference configuration, null draws, decoder genes, seed, threads; relations are
    /// read from `relations`).
    public var options: EmbeddingTaskOptions
    /// Output directory.
    public var output: String

    public init(
        data: String, columns: DatasetColumns, embeddings: [String] = [], components: Int = 50,
        includePCA: Bool = true, includeRandom: Bool = true, relations: [String] = [], folds: Int = 3, seeds: Int = 1,
        options: EmbeddingTaskOptions = EmbeddingTaskOptions(), output: String
    ) {
        self.data = data; self.columns = columns; self.embeddings = embeddings; self.components = components
        self.includePCA = includePCA; self.includeRandom = includeRandom; self.relations = relations; self.folds = folds
        self.seeds = seeds; self.options = options; self.output = output
    }

    /// Runs the job; returns every score after the files are written.
    @discardableResult
    public func run(
        recorder: RunRecorder = RunRecorder(), log: (@Sendable (String) -> Void)? = nil,
        progress: ProgressHandler? = nil
    ) throws -> [EmbeddingScore] {
        let anndata = try AnnData.read(path: data, options: ReadOptions(progress: progress))
        var base = self.options
        base.relations = try relations.map { try KnownRelations.read($0) }
        var scores: [EmbeddingScore] = []
        for s in 0..<max(seeds, 1) {
            var options = base
            options.seed = base.seed + UInt64(s)
            scores += try evaluate(anndata, options: options, log: log)
        }
        try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
        let table = (output as NSString).appendingPathComponent("table.csv")
        let long = (output as NSString).appendingPathComponent("scores.csv")
        try AtomicFile.write(EmbeddingEvaluation.tableCSV(scores), to: table)
        try AtomicFile.write(EmbeddingEvaluation.longCSV(scores), to: long)
        try recorder.finish(
            at: (output as NSString).appendingPathComponent("manifest.json"), inputPaths: [data] + relations,
            seed: base.seed, outputs: [table, long])
        return scores
    }

    /// Every embedding's scores with one seed's cells (folds), baselines and split.
    func evaluate(_ anndata: AnnData, options: EmbeddingTaskOptions, log: (@Sendable (String) -> Void)?) throws -> [EmbeddingScore] {
        let cells = try EmbeddingCells(
            anndata, columns: columns, path: data, folds: folds, seed: options.seed, unexpressedMean: options.unexpressedMean)
        var list: [(name: String, matrix: Matrix<Double>)] = []
        for spec in embeddings { list.append(try EmbeddingSources.load(spec, data: anndata, ids: cells.ids, path: data)) }
        if includePCA {
            var baselines = [("pca", EmbeddingSources.pca(cells, components: components, seed: options.seed))]
            // The paper's PCA baseline runs on the raw counts; ours on log-normalized data. Both, when X holds counts.
            if let X = anndata.X, ValueScale.detect(X) == .counts {
                baselines.append(("pca-counts", EmbeddingSources.pca(X, components: components, seed: options.seed)))
            }
            list.insert(contentsOf: baselines, at: 0)
        }
        if includeRandom {
            list.append(
                (
                    "random",
                    EmbeddingSources.random(
                        rows: cells.count, columns: list.first?.matrix.columns ?? components,
                        seed: options.seed)
                ))
        }
        let seedNote = seeds > 1 ? " (seed \(options.seed))" : ""
        log?(
            "perturb embed-eval\(seedNote): \(cells.count) cells, \(cells.batchLevels.count) "
                + "\(cells.realBatches ? "batches" : "folds"), "
                + "embeddings \(list.map { "\($0.name) (\($0.matrix.columns) dims)" }.joined(separator: ", "))")
        return EmbeddingEvaluation.evaluate(
            list, cells: cells, options: options,
            log: log.map { log in { log("perturb embed-eval\(seedNote): \($0)") } })
    }
}
