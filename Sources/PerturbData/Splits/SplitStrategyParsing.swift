/// The name of a split strategy, as `perturb split --strategy` and a benchmark's `[split] strategy` give it.
public enum SplitStrategyName: String, Sendable, CaseIterable {
    case unseenPerturbation = "unseen-perturbation"
    case combo
    case covariateTransfer = "covariate-transfer"
    case batch
    case dataScaling = "data-scaling"
}

extension SplitStrategy {
    /// Parameter keys each strategy accepts (as `perturb split` options, with `_` for `-`).
    public static let parameterKeys = [
        "val", "test", "unseen_singles", "covariate_col", "holdout", "holdout_count",
        "move_to_train", "test_batches", "val_batches", "n_test_batches", "n_val_batches",
        "fractions",
    ]

    /// A strategy from its name and text parameters (defaults as `perturb split`: val 0.16, test 0.2,
    /// unseen_singles 0.1, holdout_count 1, move_to_train 0.3, n_test_batches 1, n_val_batches 0,
    /// fractions 0.1,0.25,0.5,1). Lists are comma-separated. `columns` supply the cell-type column
    /// (covariate-transfer default) and the batch column (batch strategy).
    public init(name: String, parameters: [String: String], columns: DatasetColumns) throws {
        for key in parameters.keys.sorted() where !Self.parameterKeys.contains(key) {
            throw SplitError.invalidParameter(
                name: key, value: parameters[key]!, expected: "one of \(Self.parameterKeys.joined(separator: ", "))")
        }
        func number(_ key: String, _ fallback: Double) throws -> Double {
            guard let text = parameters[key] else { return fallback }
            guard let v = Double(text) else { throw SplitError.invalidParameter(name: key, value: text, expected: "a number") }
            return v
        }
        func count(_ key: String, _ fallback: Int) throws -> Int {
            guard let text = parameters[key] else { return fallback }
            guard let v = Int(text), v >= 0 else {
                throw SplitError.invalidParameter(name: key, value: text, expected: "a non-negative integer")
            }
            return v
        }
        func list(_ key: String) -> [String]? {
            parameters[key].map { $0.split(separator: ",").map { $0.trimmingWhitespace() } }
        }
        guard let strategy = SplitStrategyName(rawValue: name) else {
            throw SplitError.invalidParameter(
                name: "strategy", value: name,
                expected: SplitStrategyName.allCases.map(\.rawValue).joined(separator: ", "))
        }
        let val = try number("val", 0.16), test = try number("test", 0.2)
        switch strategy {
        case .unseenPerturbation: self = .unseenPerturbation(val: val, test: test)
        case .combo: self = .combo(unseenSingles: try number("unseen_singles", 0.1), val: val, test: test)
        case .covariateTransfer:
            guard let column = parameters["covariate_col"] ?? columns.cellType else {
                throw SplitError.missingColumn(
                    purpose: "covariate-transfer", option: "covariate_col (--covariate-col) or the cell-type column")
            }
            self = .covariateTransfer(
                column: column, holdout: list("holdout"), holdoutCount: try count("holdout_count", 1),
                moveToTrain: try number("move_to_train", 0.3), val: val, test: test)
        case .batch:
            guard let column = columns.batch else {
                throw SplitError.missingColumn(purpose: "the batch strategy", option: "the batch column (--batch-col)")
            }
            self = .batch(
                column: column, test: list("test_batches"), testCount: try count("n_test_batches", 1),
                val: list("val_batches"), valCount: try count("n_val_batches", 0))
        case .dataScaling:
            let fractions = try (list("fractions") ?? ["0.1", "0.25", "0.5", "1"]).map { s -> Double in
                guard let v = Double(s) else { throw SplitError.invalidParameter(name: "fractions", value: s, expected: "numbers") }
                return v
            }
            self = .dataScaling(fractions: fractions, val: val, test: test)
        }
    }
}
