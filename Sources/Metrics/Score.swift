import Foundation
import PerturbData
import Support

/// `perturb score`: a model's aggregate results against a baseline's, as cell-eval's `score_agg_metrics`:
/// on the `mean` row, lower-is-better metrics score 1 − user/base, higher-is-better (user − base)/(1 − base);
/// NaN becomes 0, negatives are clipped to 0, and `avg_score` is the mean. Metrics with no best direction
/// (and unknown columns) are left out.
public struct BaselineScore: Sendable, Equatable {
    /// (metric, score) in cell-eval's order: lower-is-better metrics first, then higher-is-better.
    public var scores: [(String, Double)]
    /// Mean of `scores`.
    public var average: Double

    public static func == (a: BaselineScore, b: BaselineScore) -> Bool {
        a.average == b.average && a.scores.map(\.0) == b.scores.map(\.0) && a.scores.map(\.1) == b.scores.map(\.1)
    }

    /// Scores two `agg_results.csv` files.
    public static func compute(userPath: String, basePath: String, statistic: String = "mean") throws -> BaselineScore {
        let user = try CSVTable(contentsOf: userPath), base = try CSVTable(contentsOf: basePath)
        guard user.header == base.header else {
            throw EvaluationError.mismatchedResults(
                user: userPath, base: basePath,
                detail: "columns differ: \(user.header) vs \(base.header)")
        }
        guard user.header.first == "statistic" else {
            throw EvaluationError.missingField(path: userPath, field: "statistic", available: user.header)
        }
        func row(_ t: CSVTable, _ path: String) throws -> [String] {
            guard let r = t.rows.first(where: { $0.first == statistic }) else {
                throw EvaluationError.missingField(path: path, field: "statistic=\(statistic)", available: t.rows.map { $0[0] })
            }
            return r
        }
        let u = try row(user, userPath), b = try row(base, basePath)
        var byZero: [(String, Double)] = [], byOne: [(String, Double)] = []
        for (c, name) in user.header.enumerated().dropFirst() {
            guard let info = MetricRegistry.metric(name), info.best != .none else { continue }
            let x = Double(u[c]) ?? .nan, y = Double(b[c]) ?? .nan
            if info.best == .zero { byZero.append((name, 1 - x / y)) } else { byOne.append((name, (x - y) / (1 - y))) }
        }
        let scores = (byZero + byOne).map { ($0.0, $0.1.isNaN ? 0 : max($0.1, 0)) }
        let average = scores.isEmpty ? .nan : scores.reduce(0) { $0 + $1.1 } / Double(scores.count)
        return BaselineScore(scores: scores, average: average)
    }

    /// cell-eval's `score` CSV (`metric,from_baseline`, ending with `avg_score`).
    public func csv() -> String {
        (["metric,from_baseline"] + scores.map { "\($0.0),\(CSVFormat.double($0.1))" }
            + ["avg_score,\(CSVFormat.double(average))"]).joined(separator: "\n") + "\n"
    }
}
