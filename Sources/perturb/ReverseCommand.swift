import ArgumentParser
import Foundation
import PerturbKit

/// `perturb reverse`: target identification on a split.
struct Reverse: ParsableCommand {
    static let configuration = CommandConfiguration(
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
    var universe = "targets"

    @Option(help: "Matrix to use instead of X.")
    var layer: String?

    @Option(help: "Seed of every random choice.")
    var seed: UInt64 = 0

    @Option(name: [.short, .customLong("output")], help: "Directory to write.")
    var output: String?

    @Flag(help: "List the registered reverse models and their hyperparameters, then exit.")
    var list = false

    @OptionGroup var runOptions: RunOptions

    func validate() throws {
        if list { return }
        guard data != nil, split != nil, output != nil else { throw ValidationError("give DATA, --split and -o/--output (or --list)") }
        guard TargetUniverse(rawValue: universe) != nil else { throw ValidationError("--universe must be targets or genes") }
    }

    func run() throws {
        if list {
            return print(modelListing(reverseModels.declarations))
        }
        let started = Date()
        let specs = try (model.isEmpty ? ["pca-knn"] : model).map(ReverseModelSpec.init(parsing:))
        for spec in specs { _ = try reverseModels.make(spec.name, hyperparameters: spec.hyperparameters) }
        let hash = BackgroundHash(path: data!)
        let parts = try SplitParts.load(path: data!, splitPath: split!, layer: layer,
                                        progress: runOptions.progress("reading X", unit: "entries"))
        let quiet = runOptions.quiet
        runOptions.reportTraining()
        let log: (String) -> Void = { note($0, quiet: quiet) }
        var reports: [ReverseReport] = []
        for spec in specs {
            let t0 = Date()
            reports.append(try ReverseEvaluation.run(model: spec.name, label: spec.label, hyperparameters: spec.hyperparameters,
                                                     parts: parts, mask: !noMask, universe: TargetUniverse(rawValue: universe)!,
                                                     seed: seed, log: log))
            log(String(format: "%@: done in %.1fs", spec.label, Date().timeIntervalSince(t0)))
        }
        var outputs = try ReverseTables.write(reports, to: output!)
        let manifestPath = (output! as NSString).appendingPathComponent("manifest.json")
        outputs.append(manifestPath)
        try Manifest(command: CommandLine.arguments, inputs: [data!: try hash.value()], splitHash: parts.split.contentHash,
                     seed: seed, wallSeconds: Date().timeIntervalSince(started), outputs: outputs).write(to: manifestPath)
        print(ReverseTables.markdown(reports), terminator: "")
        if let first = reports.first {
            log("universe: \(first.universeSize) candidate genes; \(first.maskedGenes) target genes masked; wrote \(output!)")
        }
    }
}
