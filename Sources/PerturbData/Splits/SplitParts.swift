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

    /// Cuts `data` (read from `path`) by `split`. Counts are brought to log1p (normalize-total + log1p).
    public init(data: AnnData, path: String, split: Split) throws {
        let columns = split.columns.datasetColumns
        let cells = try SplitCells(obs: data.obs, columns: columns, path: path)
        let member = try split.membership(of: cells)
        let all = try PerturbationDataset(data, columns: columns, path: path).normalizedLog1p()
        func part(_ p: Int) -> PerturbationDataset { all.selectingCells(member.indices.filter { member[$0] == p }) }
        self.split = split
        self.columns = columns
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
        return try SplitParts(data: data, path: path, split: split)
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
