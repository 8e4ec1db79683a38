/// Why fitting, saving, loading or predicting with a model failed.
public enum ModelError: Error, Equatable, CustomStringConvertible {
    /// No registered model has this name.
    case unknownModel(name: String, known: [String])
    /// A hyperparameter the model does not take, or a value of the wrong kind.
    case invalidHyperparameter(model: String, key: String, value: String, expected: String)
    /// A seed in the hyperparameters that differs from the run's seed (`--param seed=7 --seed 3`).
    case conflictingSeed(model: String, hyperparameter: String, run: UInt64)
    /// Training data the model cannot be fit on.
    case unusableTrainingData(model: String, reason: String)
    /// A model directory that is missing a file, or holds something unexpected.
    case invalidModelDirectory(path: String, field: String, reason: String)
    /// Data whose genes differ from the genes the model was fit on.
    case geneMismatch(model: String, data: String, detail: String)
    /// A feature table that cannot be read.
    case invalidFeatureTable(path: String, reason: String)
    /// Called before `fit`.
    case notFitted(model: String)
    /// An input file without what a command needs from it.
    case invalidInput(path: String, field: String, reason: String)

    public var description: String {
        switch self {
        case .unknownModel(let name, let known):
            return "unknown model '\(name)'; known models: \(known.joined(separator: ", "))"
        case .invalidHyperparameter(let model, let key, let value, let expected):
            return "model \(model): hyperparameter \(key)=\(value) is invalid; expected \(expected)"
        case .conflictingSeed(let model, let hyperparameter, let run):
            return "model \(model): hyperparameter seed=\(hyperparameter) differs from the run's seed \(run); "
                + "give the seed once (--seed, or --param seed= alone)"
        case .unusableTrainingData(let model, let reason):
            return "model \(model) cannot be fit: \(reason)"
        case .invalidModelDirectory(let path, let field, let reason):
            return "\(path): \(field): \(reason)"
        case .geneMismatch(let model, let data, let detail):
            return "\(data): genes differ from those the model \(model) was fit on (\(detail)); "
                + "predict on data prepared with the same gene set"
        case .invalidFeatureTable(let path, let reason):
            return "\(path): \(reason)"
        case .invalidInput(let path, let field, let reason):
            return "\(path): \(field): \(reason)"
        case .notFitted(let model):
            return "model \(model) has not been fit"
        }
    }
}
