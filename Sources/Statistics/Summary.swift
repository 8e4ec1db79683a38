/// The summary statistics of one column, as polars' `DataFrame.describe()` computes them (the rows of
/// cell-eval's `agg_results.csv`): count and null count, mean, sample standard deviation, min, the 25/50/75%
/// quantiles with "nearest" interpolation, max. Nulls are skipped; NaN counts as a value, poisons mean and std,
/// is ignored by min and max and sorts last for the quantiles.
public struct ColumnSummary: Sendable, Equatable {
    public var count: Double
    public var nullCount: Double
    public var mean: Double?
    public var std: Double?
    public var min: Double?
    public var q25: Double?
    public var median: Double?
    public var q75: Double?
    public var max: Double?

    /// The row labels of `describe()`, in order.
    public static let statisticNames = ["count", "null_count", "mean", "std", "min", "25%", "50%", "75%", "max"]

    /// Summarizes `values` (nil = null).
    public init(_ values: [Double?]) {
        let present = values.compactMap { $0 }
        count = Double(present.count)
        nullCount = Double(values.count - present.count)
        guard !present.isEmpty else { return }
        let n = Double(present.count)
        let m = present.reduce(0, +) / n
        mean = m
        if present.count > 1 {
            let ss = present.reduce(0) { $0 + ($1 - m) * ($1 - m) }
            std = (ss / (n - 1)).squareRoot()
        }
        let numbers = present.filter { !$0.isNaN }
        self.min = numbers.min() ?? .nan
        self.max = numbers.max() ?? .nan
        let sorted = present.sorted(by: lessNaNLast)
        func nearest(_ q: Double) -> Double {
            let index = (Double(sorted.count - 1) * q).rounded(.toNearestOrAwayFromZero)
            return sorted[Int(index)]
        }
        q25 = nearest(0.25); median = nearest(0.5); q75 = nearest(0.75)
    }

    /// The values in `statisticNames` order.
    public var row: [Double?] { [count, nullCount, mean, std, min, q25, median, q75, max] }
}
