import Foundation
import AnnData
import Support

/// A dataset cut into the parts of a saved split: what `fit`, `predict` and the benchmark runner work on.
public struct SplitParts: Sendable {
    /// The split (its columns name the perturbation, control, cell-type and batch columns).
    public let split: Split
    /// The columns, as the split records them.
    public let columns: DatasetColumns
    /// Training, validation and test cells (each with its own control cells).
    public let train: PerturbationDataset
    public let validation: PerturbationDataset
    public let test: PerturbationDataset
    /// The unit key (`Split.unitColumns`) of each training cell, for cutting nested training subsets.
    let trainUnitKeys: [String]

    /// Cuts `data` (read from `path`) by `split` (read from `splitName`, for messages). Counts are brought to log1p
    /// (normalize-total + log1p). The split is checked first (`Split.check`): an edited, leaking or foreign split
    /// is an error naming its problems, not a silently empty or contaminated part.
    public init(data: AnnData, path: String, split: Split, splitName: String = "split.json") throws {
        let columns = split.columns.datasetColumns
        let cells = try SplitCells(obs: data.obs, columns: columns, path: path)
        _ = try split.checked(against: cells, name: splitName)
        let member = try split.membership(of: cells)
        let all = try PerturbationDataset(data, columns: columns, path: path).normalizedLog1p()
        func part(_ p: Int) -> PerturbationDataset { all.selectingCells(member.indices.filter { member[$0] == p }) }
        self.split = split
        self.columns = columns
        let keys = try cells.unitKeys(split.unitColumns)
        trainUnitKeys = member.indices.filter { member[$0] == 0 }.map { keys[$0] }
        train = part(0)
        validation = part(1)
        test = part(2)
        guard !train.controlCells.isEmpty, train.cellCount > train.controlCells.count else {
            throw PerturbDataError.invalidValues(
                path: path, field: "split",
                reason: "the split's training part has "
                    + "\(train.cellCount - train.controlCells.count) perturbed and \(train.controlCells.count) control cells; both are needed"
            )
        }
    }

    /// These parts with the training part cut to the data-scaling split's nested subset `key` (a key of
    /// `Split.trainSubsets`): its conditions and every training control cell. Validation and test are unchanged.
    public func withTrainingSubset(_ key: String) throws -> SplitParts {
        guard let conditions = split.trainSubsets?[key] else {
            throw PerturbDataError.invalidValues(
                path: "split.json", field: "train_subsets",
                reason: "no training subset '\(key)' (have: \((split.trainSubsets ?? [:]).keys.sorted().joined(separator: ", ")))")
        }
        let kept = Set(conditions), controls = Set(train.controlCells)
        let rows = (0..<train.cellCount).filter { controls.contains($0) || kept.contains(trainUnitKeys[$0]) }
        return SplitParts(
            split: split, columns: columns, train: train.selectingCells(rows), validation: validation, test: test,
            trainUnitKeys: rows.map { trainUnitKeys[$0] })
    }

    /// These parts with the training part's conditions subsampled to skewed cell counts (the imbalance scenario,
    /// after PerturBench's): the perturbed training conditions, in an order drawn from `seed`, keep
    /// ⌈n · (rank + 1)^−skew⌉ of their n cells (at least min(n, 5)), a seeded draw within each; every training
    /// control is kept, validation and test are unchanged. Skew 0 keeps everything; skew 1 keeps 1, ½, ⅓, … .
    public func withImbalance(skew: Double, seed: UInt64) -> SplitParts {
        guard skew > 0 else { return self }
        let controls = Set(train.controlCells)
        var byCondition: [String: [Int]] = [:]
        for i in 0..<train.cellCount where !controls.contains(i) { byCondition[trainUnitKeys[i], default: []].append(i) }
        var order = byCondition.keys.sorted()
        var rng = SeededRandom(seed: seed, stream: 2401)
        rng.shuffle(&order)
        var rows = Array(controls)
        for (rank, condition) in order.enumerated() {
            var cells = byCondition[condition]!
            let keep = max(min(cells.count, 5), Int((Double(cells.count) * pow(Double(rank + 1), -skew)).rounded(.up)))
            rng.shuffle(&cells)
            rows += cells.prefix(keep)
        }
        rows.sort()
        return SplitParts(
            split: split, columns: columns, train: train.selectingCells(rows), validation: validation, test: test,
            trainUnitKeys: rows.map { trainUnitKeys[$0] })
    }

    init(
        split: Split, columns: DatasetColumns, train: PerturbationDataset, validation: PerturbationDataset,
        test: PerturbationDataset, trainUnitKeys: [String]
    ) {
        self.split = split; self.columns = columns; self.train = train; self.validation = validation; self.test = test
        self.trainUnitKeys = trainUnitKeys
    }

    /// Reads `path` (X, or `layer`) and cuts it by the split at `splitPath`.
    public static func load(
        path: String, splitPath: String, layer: String? = nil,
        progress: ProgressHandler? = nil
    ) throws -> SplitParts {
        let split = try Split.read(from: splitPath)
        let data = try AnnData.read(
            path: path,
            options: ReadOptions(
                matrix: layer.map { .layer($0) } ?? .x, obsm: false,
                progress: progress))
        return try SplitParts(data: data, path: path, split: split, splitName: splitPath)
    }

    /// The cells of `part`.
    public func part(_ part: SplitPartName) -> PerturbationDataset {
        switch part {
        case .train: return train
        case .val: return validation
        case .test: return test
        }
    }
}
