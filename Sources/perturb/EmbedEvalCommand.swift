import ArgumentParser
import Foundation
import PerturbKit

/// `perturb embed-eval`: the Tx-Evaluation embedding hierarchy for PCA, a random baseline and any given embeddings.
struct EmbedEvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embed-eval",
        abstract: "Score embeddings on six tasks as Tx-Evaluation computes them — iLISI over batches, linear probe and kNN "
            + "accuracy on unseen batches, perturbation consistency, known-relationship recall, reconstruction of unseen "
            + "perturbations — each raw, centered, center-scaled and TVN-normalized on controls; PCA (of log-normalized "
            + "data and of raw counts) and a random embedding are included as baselines.",
        discussion: """
            perturb embed-eval data.h5ad --pert-col perturbation --batch-col bio_rep \\
                --relations allComplexes.txt --relations ReactomePathways.gmt -o embed/
            Without --batch-col, cells are dealt into label-stratified folds (--folds) that stand in for batches.
            Probe, kNN, iLISI and reconstruction run on Tx-Evaluation's split (70 % of batches and perturbations for
            training, drawn with --seed). Scores are fractions (the reference logs percent). --definitions all adds
            our own definitions beside the reference's (median iLISI, leave-one-batch-out probe and kNN, linear
            decoder); --paper-config runs kNN and iLISI as the paper's configurations do (k = 251, Euclidean, PCA).
            Writes embed/table.csv (best variant per embedding), embed/scores.csv (every variant) and a manifest.
            """)

    @Argument(help: "The .h5ad file (counts are normalized and log1p'd; continuous data are used as given).") var data: String
    @Option(name: [.short, .customLong("output")], help: "Output directory.") var output = "embed-eval"
    @Option(
        name: .customLong("embedding"), help: "An embedding to score: an obsm key, FILE.h5ad:KEY, or a CSV (cell id, values). Repeatable.")
    var embeddings: [String] = []
    @Option(name: .customLong("n-comps"), help: "PCA components (and the random embedding's dimension).") var nComps = 50
    @Flag(name: .customLong("no-pca"), help: "Do not compute the PCA baseline.") var noPCA = false
    @Flag(name: .customLong("no-random"), help: "Do not include the random baseline.") var noRandom = false
    @Option(name: .customLong("relations"), help: "Known relations: CORUM allComplexes.txt, a GMT file, or gene pairs. Repeatable.")
    var relations: [String] = []
    @Option(help: "reference (Tx-Evaluation's definitions) or all (ours beside them).") var definitions = "reference"
    @Flag(name: .customLong("paper-config"), help: "kNN and iLISI as the paper's configurations: k = 251, Euclidean votes, PCA.")
    var paperConfig = false
    @Option(name: .customLong("knn-k"), help: "Neighbours of the reference kNN and iLISI (default: √n made odd).") var knnK: Int?
    @Option(name: .customLong("unexpressed-mean"), help: "Targets whose mean stored value is below this form the consistency null.")
    var unexpressedMean = 0.15
    @Option(help: "LISI perplexity of our median iLISI (--definitions all).") var perplexity = 30
    @Option(help: "Folds standing in for batches when there is no --batch-col.") var folds = 3
    @Option(name: .customLong("null-draws"), help: "Null draws per perturbation for the consistency test.") var nullDraws = 1000
    @Option(name: .customLong("decoder-genes"), help: "Most variable genes the reconstruction decoder predicts.") var decoderGenes = 1000
    @Option(help: "Seed of every random choice (the first one with --seeds).") var seed: UInt64 = 0
    @Option(help: "Seeds to run (each its own split, folds and random embedding); the table shows mean ± std.")
    var seeds = 1

    @OptionGroup var dataset: DatasetOptions
    @OptionGroup var runOptions: RunOptions

    func validate() throws {
        guard seeds >= 1 else { throw ValidationError("--seeds must be at least 1, got \(seeds)") }
        guard (1...256).contains(nComps) else { throw ValidationError("--n-comps must be in 1…256, got \(nComps)") }
        guard perplexity >= 1 else { throw ValidationError("--perplexity must be positive") }
        guard folds >= 2 else { throw ValidationError("--folds must be at least 2") }
        if noPCA && noRandom && embeddings.isEmpty { throw ValidationError("nothing to evaluate: give --embedding or keep a baseline") }
        guard EmbeddingDefinitions(rawValue: definitions) != nil else {
            throw ValidationError("--definitions must be reference or all, got '\(definitions)'")
        }
        if let k = knnK, k < 1 { throw ValidationError("--knn-k must be positive, got \(k)") }
        guard unexpressedMean.isFinite, unexpressedMean >= 0 else { throw ValidationError("--unexpressed-mean must be ≥ 0") }
    }

    func run() throws {
        var options = EmbeddingTaskOptions()
        options.definitions = EmbeddingDefinitions(rawValue: definitions)!
        if paperConfig { options.paperConfiguration() }
        if let knnK { options.knnK = knnK }
        options.unexpressedMean = unexpressedMean
        options.perplexity = perplexity
        options.nullDraws = nullDraws
        options.decoderGenes = decoderGenes
        options.seed = seed
        options.threads = runOptions.threadCount
        let scores = try EmbedEvalRun(
            data: data, columns: dataset.columns, embeddings: embeddings, components: nComps,
            includePCA: !noPCA, includeRandom: !noRandom, relations: relations, folds: folds,
            seeds: seeds, options: options, output: output
        )
        .run(log: runOptions.log, progress: runOptions.progress("reading", unit: "entries"))
        print(EmbeddingEvaluation.tableText(scores))
    }
}
