/// Why an evaluation cannot run: each names the file, the field and what was expected.
public enum EvaluationError: Error, CustomStringConvertible, Equatable {
    case missingField(path: String, field: String, available: [String])
    case invalidCell(path: String, field: String, row: Int, value: String, expected: String)
    case geneMismatch(real: String, pred: String, detail: String)
    case perturbationMismatch(real: String, pred: String, onlyReal: [String], onlyPred: [String])
    case nonFinite(path: String, field: String, count: Int, firstCell: String)
    case negativeValues(path: String, field: String, count: Int, minimum: Float)
    case emptyGroup(path: String, field: String, label: String)
    case unknownMetric(name: String, known: [String])
    case unknownProfile(name: String, known: [String])
    case metricFailed(metric: String, reason: String)
    case mismatchedResults(user: String, base: String, detail: String)
    case incompatibleOptions(String)

    public var description: String {
        switch self {
        case .missingField(let path, let field, let available):
            return "\(path): no column '\(field)'; present: \(available.prefix(20).joined(separator: ", "))"
        case .invalidCell(let path, let field, let row, let value, let expected):
            return "\(path): column '\(field)' row \(row) is '\(value)'; expected \(expected)"
        case .geneMismatch(let real, let pred, let detail):
            return "\(pred): genes differ from \(real) (var_names must be identical and in the same order): \(detail)"
        case .perturbationMismatch(let real, let pred, let onlyReal, let onlyPred):
            var parts: [String] = []
            if !onlyReal.isEmpty {
                parts.append(
                    "only in \(real): \(onlyReal.prefix(20).joined(separator: ", "))"
                        + (onlyReal.count > 20 ? " (+\(onlyReal.count - 20) more)" : ""))
            }
            if !onlyPred.isEmpty {
                parts.append(
                    "only in \(pred): \(onlyPred.prefix(20).joined(separator: ", "))"
                        + (onlyPred.count > 20 ? " (+\(onlyPred.count - 20) more)" : ""))
            }
            return "perturbations differ between \(real) and \(pred); \(parts.joined(separator: "; "))"
        case .nonFinite(let path, let field, let count, let firstCell):
            return "\(path): \(field) holds \(count) NaN or infinite value(s), first in cell \(firstCell); expected finite expression"
        case .negativeValues(let path, let field, let count, let minimum):
            return "\(path): \(field) holds \(count) negative value(s) (min \(minimum)); expected non-negative log1p expression"
        case .emptyGroup(let path, let field, let label):
            return "\(path): obs column '\(field)' label '\(label)' has no cells; expected every evaluated group to have cells"
        case .unknownMetric(let name, let known):
            return "unknown metric '\(name)'; known: \(known.joined(separator: ", "))"
        case .unknownProfile(let name, let known):
            return "unknown profile '\(name)'; known: \(known.joined(separator: ", "))"
        case .metricFailed(let metric, let reason):
            return "metric \(metric) failed: \(reason)"
        case .mismatchedResults(let user, let base, let detail):
            return "\(user) and \(base) cannot be compared: \(detail)"
        case .incompatibleOptions(let detail):
            return detail
        }
    }
}
