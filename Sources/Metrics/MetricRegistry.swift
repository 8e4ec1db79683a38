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

/// Which reference suite a metric belongs to (its profile and its place in the column order).
public enum MetricSuite: Sendable {
    /// cell-eval 0.8.2, in its registration order.
    case cellEval
    /// PerturBench.
    case perturBench
    /// Both (the same quantity under the same name).
    case both
    /// Ours: calibration of predicted cells, the noise ceiling, the VCC paper's MAE, R² and gene-space energy.
    case extended
}

/// A metric's one registration, in cell-eval's style: name, what it reads, which way is better, the CSV columns
/// it fills, what it needs computed from each side, and how it is computed.
public struct Metric: Sendable {
    public let name: String
    public let input: MetricInput
    public let best: BestValue
    /// Output columns (most metrics have one, named like the metric).
    public let columns: [String]
    public let suite: MetricSuite
    /// What each side must summarize for this metric besides pseudobulks.
    public let needs: SideNeeds
    /// The computation.
    let compute: @Sendable (MetricContext) throws -> MetricValue

    init(
        _ name: String, _ input: MetricInput, _ best: BestValue, _ suite: MetricSuite = .cellEval, columns: [String]? = nil,
        needs: SideNeeds = [], _ compute: @escaping @Sendable (MetricContext) throws -> MetricValue
    ) {
        self.name = name; self.input = input; self.best = best; self.suite = suite; self.columns = columns ?? [name]
        self.needs = input == .de ? needs.union(.de) : needs
        self.compute = compute
    }

    /// A DE metric of cell-eval computed per perturbation.
    static func de(_ name: String, _ best: BestValue, _ f: @escaping @Sendable (DEComparison) -> [String: Double]) -> Metric {
        Metric(name, .de, best) { .perPerturbation(f(try $0.requireDE())) }
    }

    /// An expression metric computed per perturbation.
    static func expression(
        _ name: String, _ best: BestValue, _ suite: MetricSuite = .cellEval, needs: SideNeeds = [],
        _ f: @escaping @Sendable (EvaluationPair) throws -> [String: Double]
    ) -> Metric {
        Metric(name, .expression, best, suite, needs: needs) { .perPerturbation(try f(try $0.requirePair())) }
    }
}

/// A named list of metrics (`perturb eval --profile`); profiles are data, not code.
public struct MetricProfile: Sendable {
    public let name: String
    /// The metrics, in the order they are computed and written. DE tables are computed (and written) exactly
    /// when one of them reads DE, which is how cell-eval skips them for `pds`.
    public let metrics: [String]
}

/// Every metric, registered once, and every profile.
public enum MetricRegistry {
    /// Every metric: cell-eval 0.8.2's in its registration order (which fixes the column order of
    /// `results.csv`), then PerturBench's, then our extended ones.
    public static let all: [Metric] = {
        var m: [Metric] = []
        for (family, isPrecision) in [("overlap", false), ("precision", true)] {
            for (suffix, k) in [("N", nil), ("50", 50), ("100", 100), ("200", 200), ("500", 500)] as [(String, Int?)] {
                m.append(.de("\(family)_at_\(suffix)", .one) { DEMetrics.overlap($0, k: k, precision: isPrecision) })
            }
        }
        m += [
            Metric("de_spearman_sig", .de, .one) { .global(DEMetrics.spearmanSignificant(try $0.requireDE())) },
            .de("de_direction_match", .one, DEMetrics.directionMatch),
            .de("de_spearman_lfc_sig", .one, DEMetrics.spearmanFoldChange),
            .de("de_sig_genes_recall", .one, DEMetrics.recall),
            Metric("de_nsig_counts", .de, .none, columns: ["de_nsig_counts_real", "de_nsig_counts_pred"]) {
                let counts = DEMetrics.significantCounts(try $0.requireDE())
                return .columns([("de_nsig_counts_real", counts.real), ("de_nsig_counts_pred", counts.pred)])
            },
            .de("pr_auc", .one) { DEMetrics.auc($0, roc: false) },
            .de("roc_auc", .one) { DEMetrics.auc($0, roc: true) },
            .expression("pearson_delta", .one, .both) { ExpressionMetrics.perPerturbation($0, "pearson_delta") },
        ]
        for (name, best) in [("mse", BestValue.zero), ("mae", .zero), ("mse_delta", .zero), ("mae_delta", .zero)] {
            m.append(.expression(name, best) { ExpressionMetrics.perPerturbation($0, name) })
        }
        for d in [ExpressionMetrics.Distance.l1, .l2, .cosine] {
            m.append(
                Metric("discrimination_score_\(d.rawValue)", .expression, .one) {
                    .perPerturbation(try ExpressionMetrics.discrimination(try $0.requirePair(), distance: d, embedded: $0.embedded))
                })
        }
        m += [
            Metric("pearson_edistance", .expression, .one, needs: .energy) {
                .global(try ExpressionMetrics.pearsonEnergyDistance(try $0.requirePair()))
            },
            .expression("rmse", .zero, .perturBench) { PerturBenchMetrics.fit($0, .rmse) },
            .expression("cosine_logfc", .one, .perturBench) { PerturBenchMetrics.fit($0, .cosine) },
            .expression("rmse_rank", .zero, .perturBench) { PerturBenchMetrics.rank($0, .rmse) },
            .expression("cosine_logfc_rank", .zero, .perturBench) { PerturBenchMetrics.rank($0, .cosine) },
            .expression("pearson_delta_rank", .zero, .perturBench) { PerturBenchMetrics.rank($0, .pearson) },
            .expression("mmd_pca", .zero, .perturBench, needs: .pca, PerturBenchMetrics.mmdPCA),
            .expression("deg_recall", .one, .perturBench, needs: .degRanking) { try PerturBenchMetrics.degRecall($0) },
            Metric("clustering_agreement", .expression, .one, needs: .centroids) {
                .global(try ClusteringAgreement.compute(try $0.requirePair()))
            },
            .expression("r2_delta", .one, .extended) { CalibrationMetrics.r2Delta($0) },
            .expression("mae_top2000", .zero, .extended, needs: .countMeans, VCCMetrics.maeTop),
            .expression("mmd_genes", .zero, .extended, needs: .cells, CalibrationMetrics.energyGenes),
            .expression("zero_fraction_error", .zero, .extended, needs: .moments, CalibrationMetrics.zeroFractionError),
            .expression("variance_ratio", .none, .extended, needs: .moments, CalibrationMetrics.varianceRatio),
            .expression("pearson_delta_ceiling", .none, .extended, needs: .splitHalf, NoiseCeiling.ceiling),
        ]
        return m
    }()

    /// cell-eval's metrics, in its order.
    public static var cellEval: [Metric] { all.filter { $0.suite == .cellEval || $0.suite == .both } }

    /// Every profile of `perturb eval`.
    public static let profiles: [MetricProfile] = [
        MetricProfile(name: "full", metrics: cellEval.map(\.name)),
        MetricProfile(
            name: "minimal",
            metrics: [
                "pearson_delta", "mse", "mae", "discrimination_score_l1", "overlap_at_N",
                "precision_at_N", "de_nsig_counts",
            ]),
        MetricProfile(name: "vcc", metrics: ["mae", "discrimination_score_l1", "overlap_at_N"]),
        MetricProfile(name: "de", metrics: cellEval.filter { $0.input == .de }.map(\.name)),
        MetricProfile(name: "anndata", metrics: cellEval.filter { $0.input == .expression }.map(\.name)),
        MetricProfile(name: "pds", metrics: ["discrimination_score_l1"]),
        MetricProfile(
            name: "perturbench",
            metrics: [
                "rmse", "cosine_logfc", "pearson_delta", "rmse_rank", "cosine_logfc_rank",
                "pearson_delta_rank", "mmd_pca", "deg_recall",
            ]),
        MetricProfile(name: "vcc2025", metrics: ["mae_top2000", "discrimination_score_l1", "overlap_at_N"]),
        MetricProfile(
            name: "calibration",
            metrics: ["de_nsig_counts", "zero_fraction_error", "variance_ratio", "pearson_delta_ceiling"]),
        MetricProfile(
            name: "extended",
            metrics: [
                "r2_delta", "mae_top2000", "mmd_genes", "de_nsig_counts", "zero_fraction_error", "variance_ratio",
                "pearson_delta_ceiling",
            ]),
    ]

    /// Profile names.
    public static var profileNames: [String] { profiles.map(\.name) }

    /// A metric by name.
    public static func metric(_ name: String) -> Metric? { all.first { $0.name == name } }

    /// A profile by name, or an error listing the known ones.
    public static func profile(_ name: String) throws -> MetricProfile {
        guard let p = profiles.first(where: { $0.name == name }) else {
            throw EvaluationError.unknownProfile(name: name, known: profileNames)
        }
        return p
    }
}
