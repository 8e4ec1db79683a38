import ArgumentParser
import Foundation
import PerturbKit

/// `perturb split`: make a leak-proof split, or check one against a data file.
struct SplitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "split",
        abstract: "Split conditions into train/val/test (unseen-perturbation, combo, covariate-transfer, batch, "
            + "data-scaling) and save it as JSON with a content hash; or check a split for leakage with --check.",
        discussion: """
            perturb split data.h5ad --strategy unseen-perturbation --val 0.16 --test 0.2 --seed 0 -o split.json
            perturb split data.h5ad --strategy combo --unseen-singles 0.1 -o split.json
            perturb split data.h5ad --strategy covariate-transfer --covariate-col cell_type --holdout K562 -o split.json
            perturb split data.h5ad --strategy batch --batch-col batch --test-batches b3 -o split.json
            perturb split --check split.json data.h5ad
            """)

    @Argument(help: "The .h5ad file to split (or to check against).") var data: String
    @Option(help: "Check this split JSON against the data file instead of making one.") var check: String?
    @Option(help: "How to divide the conditions.") var strategy = SplitStrategyName.unseenPerturbation
    @Option(help: "Validation fraction.") var val = 0.16
    @Option(help: "Test fraction.") var test = 0.2
    @Option(help: "Seed of every random choice.") var seed: UInt64 = 0
    @Option(name: .customLong("unseen-singles"), help: "combo: fraction of single perturbations held out of training.")
    var unseenSingles = 0.1
    @Option(name: .customLong("covariate-col"), help: "covariate-transfer: obs column to hold out values of (default: --celltype-col).")
    var covariateColumn: String?
    @Option(help: "covariate-transfer: comma-separated values to hold out (default: --holdout-count at random).") var holdout: String?
    @Option(name: .customLong("holdout-count"), help: "covariate-transfer: how many values to hold out at random.") var holdoutCount = 1
    @Option(
        name: .customLong("move-to-train"), help: "covariate-transfer: fraction of a held-out value's perturbations moved into training.")
    var moveToTrain = 0.3
    @Option(name: .customLong("test-batches"), help: "batch: comma-separated test batches (default: --n-test-batches at random).")
    var testBatches: String?
    @Option(name: .customLong("val-batches"), help: "batch: comma-separated validation batches.") var valBatches: String?
    @Option(name: .customLong("n-test-batches"), help: "batch: number of random test batches.") var nTestBatches = 1
    @Option(name: .customLong("n-val-batches"), help: "batch: number of random validation batches.") var nValBatches = 0
    @Option(help: "data-scaling: comma-separated nested training fractions.") var fractions = "0.1,0.25,0.5,1"
    @Option(name: [.short, .customLong("output")], help: "Output split JSON.") var output: String?
    @Option(name: .customLong("write-h5ad"), help: "Also write train.h5ad, val.h5ad and test.h5ad into this directory.")
    var writeH5AD: String?

    @OptionGroup var dataset: DatasetOptions
    @OptionGroup var runOptions: RunOptions

    func validate() throws {
        if check == nil && output == nil { throw ValidationError("give -o split.json (or --check split.json to check one)") }
    }

    func run() throws {
        if let check {
            let (split, report) = try SplitRun.check(check, data: data)
            return note(describe(split, report) + "\n\(check): all checks passed against \(data)", quiet: runOptions.quiet)
        }
        guard let output else { return }
        let (split, report, outputs) = try SplitRun(
            data: data, columns: dataset.columns, strategy: try parsedStrategy(), seed: seed,
            output: output, partsDirectory: writeH5AD
        )
        .run(progress: runOptions.progress("reading", unit: "entries"))
        note(describe(split, report) + "\nwrote \(outputs.joined(separator: ", "))", quiet: runOptions.quiet)
    }

    func parsedStrategy() throws -> SplitStrategy {
        var parameters = [
            "val": String(val), "test": String(test), "unseen_singles": String(unseenSingles),
            "holdout_count": String(holdoutCount), "move_to_train": String(moveToTrain),
            "n_test_batches": String(nTestBatches), "n_val_batches": String(nValBatches), "fractions": fractions,
        ]
        for (key, value) in [
            ("covariate_col", covariateColumn), ("holdout", holdout), ("test_batches", testBatches),
            ("val_batches", valBatches),
        ] {
            if let value { parameters[key] = value }
        }
        return try SplitStrategy(name: strategy.rawValue, parameters: parameters, columns: dataset.columns)
    }

    /// One line per part (cells, controls, conditions) and, for combo splits, the combinations per tier.
    func describe(_ split: Split, _ report: SplitCheckReport) -> String {
        var lines = ["split \(split.strategy) (seed \(split.seed)), content hash \(split.contentHash ?? "none")"]
        for name in Split.partNames {
            let s = report.partSizes[name] ?? (0, 0, 0)
            var line = "  \(name): \(s.conditions) conditions, \(s.cells) cells (\(s.controls) controls)"
            if let tiers = split.tiers?[name] {
                line +=
                    "; "
                    + ["single", "seen2", "seen1", "seen0"].compactMap { t in tiers[t].map { "\(t) \($0.count)" } }.joined(separator: ", ")
            }
            lines.append(line)
        }
        if let subsets = split.trainSubsets {
            lines.append(
                "  training subsets: "
                    + subsets.sorted { (Double($0.key) ?? 0) < (Double($1.key) ?? 0) }.map { "\($0.key): \($0.value.count)" }.joined(
                        separator: ", "))
        }
        lines += report.notes.map { "  note: \($0)" }
        return lines.joined(separator: "\n")
    }
}

extension SplitStrategyName: ExpressibleByArgument {
    public var defaultValueDescription: String { rawValue }
}
