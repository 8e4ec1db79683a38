import ArgumentParser
import Foundation
import PerturbKit

/// `perturb reverse`: target identification on a split.
struct ReverseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reverse",
        abstract: "Fit reverse models on the training part of a split and rank the candidate target genes of every "
            + "perturbed test condition; writes rankings, per-condition outcomes and the MRR / Hit@K / Recall@K "
            + "table (overall and per tier, beside the random expectation).")

    @Argument(help: "Prepared .h5ad file (log1p; counts are normalized first).")
    var data: String?

    @Option(help: "Split JSON from `perturb split`.")
    var split: String?

    @Option(help: "Model as NAME or NAME:key=value,key=value (repeatable), e.g. 'forward-retrieval:forward=additive,pairs=seen'.")
    var model: [String] = []

    @Flag(name: .customLong("no-mask"), help: "Keep the target genes in the profiles (by default every perturbation target is masked).")
    var noMask = false

    @Option(help: "Candidates ranked: targets (every perturbation target in the data) or genes (targets and every measured gene).")
    var universe = TargetUniverse.targets

    @Option(help: "Matrix to use instead of X.")
    var layer: String?

    @Option(help: "Seed of every random choice.")
    var seed: UInt64 = 0

    @Option(name: [.short, .customLong("output")], help: "Directory to write.")
    var output: String?

    @Flag(help: "List the registered reverse models and their hyperparameters, then exit (as `perturb models --reverse`).")
    var list = false

    @OptionGroup var runOptions: RunOptions

    func validate() throws {
        if list { return }
        guard data != nil, split != nil, output != nil else { throw ValidationError("give DATA, --split and -o/--output (or --list)") }
    }

    func run() throws {
        if list { return print(modelListing(reverseModels.declarations)) }
        guard let data, let split, let output else { return }
        let specs = try (model.isEmpty ? ["pca-knn"] : model).map(ReverseModelSpec.init(parsing:))
        let reports = try ReverseRun(
            data: data, split: split, models: specs, layer: layer, mask: !noMask, universe: universe,
            seed: seed, output: output
        )
        .run(log: runOptions.log, progress: runOptions.progress("reading X", unit: "entries"))
        print(ReverseTables.markdown(reports), terminator: "")
        if let first = reports.first {
            note(
                "universe: \(first.universeSize) candidate genes; \(first.maskedGenes) target genes masked; wrote \(output)",
                quiet: runOptions.quiet)
        }
    }
}

extension TargetUniverse: ExpressibleByArgument {}
