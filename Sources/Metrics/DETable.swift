/// Differential expression of one perturbation against the reference, one entry per tested feature (in the
/// order of `features`). Columns and arithmetic follow pdex 0.3.0 as cell-eval 0.8.2 calls it.
public struct DEGroup: Sendable {
    /// The perturbation label.
    public var target: String
    /// Cells in the perturbation group.
    public var targetCells: Int
    /// Cells in the reference group.
    public var referenceCells: Int
    /// Index of each row's feature in ``DETable/features``.
    public var features: [Int32]
    /// expm1 of the mean log1p expression in the group (float32, as pdex computes it).
    public var targetMean: [Float]
    /// The same for the reference.
    public var referenceMean: [Float]
    /// log2(targetMean / referenceMean); ±inf for one-sided zeros, 0 for 0/0.
    public var log2FoldChange: [Double]
    /// (targetMean − referenceMean) / referenceMean; 0 for 0/0.
    public var percentChange: [Double]
    /// Mann-Whitney U p-value.
    public var pValue: [Double]
    /// U of the perturbation group.
    public var statistic: [Double]
    /// Benjamini–Hochberg adjusted p-value.
    public var fdr: [Double]

    /// Number of rows.
    public var count: Int { features.count }
}

/// A differential expression table: what cell-eval writes as `real_de.csv` / `pred_de.csv`.
public struct DETable: Sendable {
    /// Feature (gene) names; rows refer to them by index.
    public var features: [String]
    /// One block of rows per perturbation, in output order.
    public var groups: [DEGroup]

    /// Creates a table.
    public init(features: [String], groups: [DEGroup]) {
        self.features = features
        self.groups = groups
    }

    /// The CSV header cell-eval (via pdex) writes.
    public static let columns = [
        "target", "feature", "target_mean", "ref_mean", "target_membership",
        "ref_membership", "log2_fold_change", "percent_change", "p_value", "statistic", "fdr",
    ]
}
