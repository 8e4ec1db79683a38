import AnnData
import Foundation
import Models
import PerturbData

/// One benchmark dataset after its QC, ready to be split per seed. Normalization, log1p and HVGs, when asked
/// for, are fit per seed on the split's training cells (`perturb prep --split`), never on test cells.
struct SourceData {
    let dataset: BenchmarkConfig.Dataset
    let data: AnnData

    init(_ dataset: BenchmarkConfig.Dataset, log: (@Sendable (String) -> Void)?) throws {
        log?("reading \(dataset.path)")
        var data = try AnnData.read(path: dataset.path, options: ReadOptions(matrix: dataset.layer.map { .layer($0) } ?? .x, obsm: false))
        if let prep = dataset.prep {
            var options = PrepOptions(columns: dataset.columns)
            if let keep = prep.keep {
                guard let filter = QCOptions.keepFilter(keep) else {
                    throw BenchmarkError.invalidField(path: dataset.path, field: "prep.keep", expected: "COLUMN=V1,V2")
                }
                options.qc.keep = filter
            }
            options.qc.dropLabels = prep.dropLabels
            options.qc.minCellsPerSingle = prep.minCellsPerCondition
            options.qc.minCellsPerCombination = prep.minCellsPerCombination
            let (qc, summary) = try Preprocessing.run(data, options: options, path: dataset.path)
            log?("\(dataset.name): QC kept \(summary.outputCells) cells × \(summary.outputGenes) genes")
            data = qc
        }
        self.dataset = dataset
        self.data = data
    }

    /// The split for `seed` (written to `directory/split.json`), the prepared parts, and the test part's tiers
    /// (perturbation → single / seen2 / seen1 / seen0) when the strategy has them.
    func parts(seed: UInt64, strategy: String, parameters: [String: String], directory: String) throws
        -> (SplitParts, [String: String])
    {
        let cells = try SplitCells(obs: data.obs, columns: dataset.columns, path: dataset.path)
        let split = try Split.makeChecked(
            cells, strategy: try SplitStrategy(name: strategy, parameters: parameters, columns: dataset.columns),
            seed: seed, name: "\(dataset.name) seed \(seed)"
        ).split
        try split.write(to: "\(directory)/split.json")
        var prepared = data
        if let prep = dataset.prep, prep.normalize || prep.log1p || prep.hvg != nil {
            var options = PrepOptions(columns: dataset.columns)
            options.qc.minCellsPerSingle = 0
            options.qc.minCellsPerCombination = 0
            options.normalize = prep.normalize
            options.log1p = prep.log1p
            if let n = prep.hvg {
                guard let flavor = HVGFlavor(rawValue: prep.hvgFlavor) else {
                    throw BenchmarkError.invalidField(
                        path: dataset.path, field: "prep.hvg_flavor",
                        expected: HVGFlavor.allCases.map(\.rawValue).joined(separator: ", "))
                }
                options.hvg = HVGOptions(flavor: flavor, selection: .top(n))
                options.keepTargets = true
            }
            options.split = split
            prepared = try Preprocessing.run(data, options: options, path: dataset.path).0
        }
        var tiers: [String: String] = [:]
        for (tier, labels) in split.tiers?["test"] ?? [:] { for label in labels { tiers[label] = tier } }
        return (try SplitParts(data: prepared, path: dataset.path, split: split), tiers)
    }
}
