/// Problems turning an AnnData file into a `PerturbationDataset`. Messages name the file and the field.
public enum PerturbDataError: Error, Equatable, CustomStringConvertible {
    /// An obs column is absent.
    case missingColumn(path: String, column: String, available: [String])
    /// The control label does not occur in the perturbation column.
    case controlAbsent(path: String, column: String, control: String, closest: [String])
    /// var names repeat.
    case duplicateGenes(path: String, examples: [String], count: Int)
    /// X has no cells or no genes.
    case emptyMatrix(path: String, field: String, rows: Int, columns: Int)
    /// An obs column has missing values where labels are needed.
    case missingLabels(path: String, column: String, count: Int)
    /// Values are not what the detected scale allows.
    case invalidValues(path: String, field: String, reason: String)
    /// Cells whose perturbation label is blank: no perturbation assigned, neither controls nor perturbed.
    case blankLabels(path: String, column: String, count: Int)

    public var description: String {
        switch self {
        case .missingColumn(let path, let column, let available):
            return "\(path): obs has no column '\(column)' (available: \(available.isEmpty ? "none" : available.joined(separator: ", ")))"
        case .controlAbsent(let path, let column, let control, let closest):
            return "\(path): control label '\(control)' does not occur in obs['\(column)']; closest labels: "
                + closest.map { "'\($0)'" }.joined(separator: ", ") + " (set it with --control)"
        case .duplicateGenes(let path, let examples, let count):
            return "\(path): var names are not unique: \(count) duplicated, e.g. "
                + examples.prefix(5).map { "'\($0)'" }.joined(separator: ", ")
        case .emptyMatrix(let path, let field, let rows, let columns):
            return "\(path): \(field) is empty (\(rows) cells × \(columns) genes)"
        case .missingLabels(let path, let column, let count):
            return "\(path): obs['\(column)'] has \(count) missing values"
        case .invalidValues(let path, let field, let reason):
            return "\(path): \(field): \(reason)"
        case .blankLabels(let path, let column, let count):
            return "\(path): obs['\(column)'] is blank for \(count) cells (no perturbation assigned, e.g. no guide "
                + "detected): they are neither controls nor perturbed; `perturb prep` drops them and says how many"
        }
    }
}

/// Edit distance between two strings (for "did you mean" suggestions).
func editDistance(_ a: String, _ b: String) -> Int {
    let x = Array(a.lowercased()), y = Array(b.lowercased())
    if x.isEmpty { return y.count }
    if y.isEmpty { return x.count }
    var previous = Array(0...y.count)
    var current = [Int](repeating: 0, count: y.count + 1)
    for i in 1...x.count {
        current[0] = i
        for j in 1...y.count {
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1))
        }
        swap(&previous, &current)
    }
    return previous[y.count]
}

/// The `limit` labels closest to `target` by edit distance (ties by name).
func closestLabels(to target: String, among labels: [String], limit: Int = 5) -> [String] {
    labels.map { ($0, editDistance($0, target)) }
        .sorted { $0.1 != $1.1 ? $0.1 < $1.1 : $0.0 < $1.0 }
        .prefix(limit).map { $0.0 }
}
