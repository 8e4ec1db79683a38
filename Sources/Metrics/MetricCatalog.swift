/// Which direction of a metric is better, as cell-eval's `MetricBestValue` (drives `perturb score`).
public enum BestValue: String, Sendable {
    case zero, one, none
}

/// What a metric reads.
public enum MetricInput: Sendable {
    /// The real and predicted DE tables.
    case de
    /// The real and predicted expression (pseudobulks or cells).
    case expression
}

/// A metric's registration: name, input, best value and the CSV columns it fills.
public struct MetricInfo: Sendable {
    public let name: String
    public let input: MetricInput
    public let best: BestValue
    /// Output columns (most metrics have one, named like the metric).
    public let columns: [String]

    init(_ name: String, _ input: MetricInput, _ best: BestValue, columns: [String]? = nil) {
        self.name = name; self.input = input; self.best = best; self.columns = columns ?? [name]
    }
}

/// Every metric and profile, in cell-eval 0.8.2's registration order (which fixes the column order of
/// `results.csv`), plus PerturBench's.
public enum MetricCatalog {
    /// cell-eval's metrics.
    public static let cellEval: [MetricInfo] = {
        var m: [MetricInfo] = []
        for family in ["overlap", "precision"] {
            for k in ["N", "50", "100", "200", "500"] { m.append(MetricInfo("\(family)_at_\(k)", .de, .one)) }
        }
        m += [MetricInfo("de_spearman_sig", .de, .one), MetricInfo("de_direction_match", .de, .one),
              MetricInfo("de_spearman_lfc_sig", .de, .one), MetricInfo("de_sig_genes_recall", .de, .one),
              MetricInfo("de_nsig_counts", .de, .none, columns: ["de_nsig_counts_real", "de_nsig_counts_pred"]),
              MetricInfo("pr_auc", .de, .one), MetricInfo("roc_auc", .de, .one)]
        let expression: [(String, BestValue)] = [
            ("pearson_delta", .one), ("mse", .zero), ("mae", .zero), ("mse_delta", .zero), ("mae_delta", .zero),
            ("discrimination_score_l1", .one), ("discrimination_score_l2", .one), ("discrimination_score_cosine", .one),
            ("pearson_edistance", .one),
        ]
        return m + expression.map { MetricInfo($0.0, .expression, $0.1) }
    }()

    /// PerturBench's metrics (profile `perturbench`).
    public static let perturBench: [MetricInfo] = [
        MetricInfo("rmse", .expression, .zero), MetricInfo("cosine_logfc", .expression, .one),
        MetricInfo("pearson_delta", .expression, .one), MetricInfo("rmse_rank", .expression, .zero),
        MetricInfo("cosine_logfc_rank", .expression, .zero), MetricInfo("pearson_delta_rank", .expression, .zero),
        MetricInfo("mmd_pca", .expression, .zero), MetricInfo("deg_recall", .expression, .one),
    ]

    /// cell-eval metrics we do not compute but must still recognize when scoring cell-eval's own files.
    public static let recognizedOnly: [MetricInfo] = [MetricInfo("clustering_agreement", .expression, .one)]

    /// Looks a metric up by name.
    public static func info(_ name: String) -> MetricInfo? {
        cellEval.first { $0.name == name } ?? perturBench.first { $0.name == name }
            ?? recognizedOnly.first { $0.name == name }
    }

    /// Profile names.
    public static let profiles = ["full", "minimal", "vcc", "de", "anndata", "pds", "perturbench"]

    /// The metrics of a profile, in cell-eval's order.
    public static func metrics(profile: String) throws -> [String] {
        switch profile {
        case "full": return cellEval.map(\.name)
        case "de": return cellEval.filter { $0.input == .de }.map(\.name)
        case "anndata": return cellEval.filter { $0.input == .expression }.map(\.name)
        case "minimal": return ["pearson_delta", "mse", "mae", "discrimination_score_l1", "overlap_at_N",
                                "precision_at_N", "de_nsig_counts"]
        case "vcc": return ["mae", "discrimination_score_l1", "overlap_at_N"]
        case "pds": return ["discrimination_score_l1"]
        case "perturbench": return perturBench.map(\.name)
        default: throw EvaluationError.unknownProfile(name: profile, known: profiles)
        }
    }

    /// Whether a profile needs DE tables (cell-eval skips DE only for `pds`).
    public static func needsDE(profile: String, metrics: [String]) -> Bool {
        profile != "pds" && profile != "perturbench"
    }
}
