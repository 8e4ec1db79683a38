import PerturbData

/// Where a condition was measured: its cell type and batch (each nil when the data has no such column).
/// Control cells are matched to perturbed cells by context, falling back to the cell type and then to all cells.
public struct CellContext: Hashable, Sendable, Comparable {
    public var cellType: String?
    public var batch: String?

    public init(cellType: String? = nil, batch: String? = nil) {
        self.cellType = cellType
        self.batch = batch
    }

    /// The context of a condition.
    public init(_ condition: Condition) { self.init(cellType: condition.cellType, batch: condition.batch) }

    /// This context, then the same cell type in any batch, then anything: the order in which matches are tried.
    public var fallbacks: [CellContext] {
        var out = [self]
        if batch != nil { out.append(CellContext(cellType: cellType)) }
        if cellType != nil { out.append(CellContext()) }
        return out
    }

    /// A stable text key (`*` for an absent field), used in saved parameters.
    public var key: String { (cellType ?? "*") + "\u{1F}" + (batch ?? "*") }

    /// The context a `key` was made from.
    public init(key: String) {
        let parts = key.split(separator: "\u{1F}", omittingEmptySubsequences: false).map(String.init)
        self.init(
            cellType: parts.first.flatMap { $0 == "*" ? nil : $0 },
            batch: parts.count > 1 ? (parts[1] == "*" ? nil : parts[1]) : nil)
    }

    public static func < (a: CellContext, b: CellContext) -> Bool { a.key < b.key }

    /// The control cells of `data` under every context they match: their own, their cell type's and all.
    public static func controlCells(of data: PerturbationDataset) -> [CellContext: [Int]] {
        var out: [CellContext: [Int]] = [:]
        for cell in data.controlCells {
            let context = CellContext(cellType: data.cellTypes?[cell], batch: data.batches?[cell])
            for c in context.fallbacks { out[c, default: []].append(cell) }
        }
        return out
    }
}
