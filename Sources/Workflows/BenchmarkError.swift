/// Why a benchmark could not be configured or run.
public enum BenchmarkError: Error, Equatable, CustomStringConvertible {
    /// A TOML file that does not parse.
    case unreadableConfig(path: String, reason: String)
    /// A key with a missing or wrong value.
    case invalidField(path: String, field: String, expected: String)
    /// A hyperparameter search that cannot run.
    case searchImpossible(model: String, reason: String)

    public var description: String {
        switch self {
        case .unreadableConfig(let path, let reason): return "\(path): \(reason)"
        case .invalidField(let path, let field, let expected): return "\(path): \(field): expected \(expected)"
        case .searchImpossible(let model, let reason): return "model \(model): hyperparameter search impossible: \(reason)"
        }
    }
}
