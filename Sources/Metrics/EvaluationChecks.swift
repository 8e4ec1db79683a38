import AnnData
import LinearAlgebra
import PerturbData

/// The input checks of `perturb eval`: each failure names the file, the field and what was expected.
public enum EvaluationChecks {
    /// Gene names must be identical and in the same order; reports the first differences.
    public static func sameGenes(
        real realGenes: [String], pred predGenes: [String], realPath: String,
        predPath: String
    ) throws {
        guard realGenes != predGenes else { return }
        var detail: [String] = []
        if realGenes.count != predGenes.count {
            detail.append("\(realGenes.count) genes in the real file, \(predGenes.count) in the predictions")
        }
        let differing = zip(realGenes, predGenes).enumerated().filter { $0.element.0 != $0.element.1 }
        let shown = differing.prefix(5).map { "position \($0.offset): '\($0.element.0)' vs '\($0.element.1)'" }
        if !shown.isEmpty { detail.append("first differences: " + shown.joined(separator: ", ")) }
        let missing = Set(realGenes).subtracting(predGenes)
        if !missing.isEmpty { detail.append("missing from predictions: " + missing.sorted().prefix(5).joined(separator: ", ")) }
        throw EvaluationError.geneMismatch(real: realPath, pred: predPath, detail: detail.joined(separator: "; "))
    }

    /// The sets of perturbation labels must be equal.
    public static func samePerturbations(real: [String], pred: [String], realPath: String, predPath: String) throws {
        let r = Set(real), p = Set(pred)
        guard r == p else {
            throw EvaluationError.perturbationMismatch(
                real: realPath, pred: predPath,
                onlyReal: r.subtracting(p).sorted(), onlyPred: p.subtracting(r).sorted())
        }
    }

    /// Expression values must be finite and non-negative (cell-eval's MWU ranks zeros as the lowest block).
    public static func finiteNonNegative(_ x: CSRMatrix, path: String, field: String) throws {
        var nonFinite = 0, negative = 0, firstBad: (Int, Int)? = nil, minimum = Float.infinity
        for r in 0..<x.rows {
            for k in x.range(ofRow: r) {
                let v = x.values[k]
                if !v.isFinite {
                    nonFinite += 1
                    if firstBad == nil { firstBad = (r, Int(x.columnIndices[k])) }
                } else if v < 0 {
                    negative += 1
                    minimum = min(minimum, v)
                }
            }
        }
        if nonFinite > 0, let (r, c) = firstBad {
            throw EvaluationError.nonFinite(path: path, field: field, count: nonFinite, firstCell: "row \(r), column \(c)")
        }
        if negative > 0 { throw EvaluationError.negativeValues(path: path, field: field, count: negative, minimum: minimum) }
    }
}
