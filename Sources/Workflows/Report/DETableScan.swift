import Foundation

/// A fast single pass over a DE table CSV (cell-eval's `real_de.csv` / `pred_de.csv`: target, feature,
/// target_mean, ref_mean, …, fdr) that keeps only what the report draws: per target the number of genes with
/// fdr < 0.05, the summed |Δ|, and for chosen targets every gene's Δ. Δ is the difference of mean log1p expression:
/// the table's means are expm1(mean log1p x) (pdex), so Δ = log1p(target_mean) − log1p(ref_mean), the space the
/// delta metrics (pearson_delta) use.
struct DETableScan {
    /// Significant genes (fdr < 0.05) per target.
    var significant: [String: Int] = [:]
    /// Σ over genes of |Δ| per target (the size of the effect).
    var effect: [String: Double] = [:]
    /// Δ per gene, for the targets asked for.
    var deltas: [String: [String: Double]] = [:]

    /// Scans `path`; `keep` chooses the targets whose per-gene deltas are kept. Throws when the file cannot be read
    /// or lacks one of the columns.
    init(path: String, keep: Set<String> = []) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ReportError.unreadable(path: path, reason: "cannot be read")
        }
        try data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            let bytes = raw.bindMemory(to: UInt8.self)
            let n = bytes.count
            var i = 0
            func line() -> [Range<Int>] {
                var fields: [Range<Int>] = []
                var start = i
                var quoted = false
                while i < n {
                    let b = bytes[i]
                    if b == UInt8(ascii: "\"") {
                        quoted.toggle()
                    } else if !quoted && b == UInt8(ascii: ",") {
                        fields.append(start..<i); start = i + 1
                    } else if !quoted && b == UInt8(ascii: "\n") {
                        break
                    }
                    i += 1
                }
                var end = i
                if end > start, bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
                fields.append(start..<end)
                i += 1
                return fields
            }
            func text(_ r: Range<Int>) -> String {
                var r = r
                if r.count >= 2, bytes[r.lowerBound] == UInt8(ascii: "\""), bytes[r.upperBound - 1] == UInt8(ascii: "\"") {
                    r = (r.lowerBound + 1)..<(r.upperBound - 1)
                }
                return String(decoding: UnsafeBufferPointer(rebasing: bytes[r]), as: UTF8.self)
            }
            func number(_ r: Range<Int>) -> Double {
                // strtod on a small stack copy: no String per field.
                var buffer = [CChar](repeating: 0, count: min(63, r.count) + 1)
                for k in 0..<min(63, r.count) { buffer[k] = CChar(bitPattern: bytes[r.lowerBound + k]) }
                return buffer.withUnsafeBufferPointer { strtod($0.baseAddress!, nil) }
            }
            let header = line().map(text)
            let needed = ["target", "feature", "target_mean", "ref_mean", "fdr"]
            var column: [String: Int] = [:]
            for name in needed {
                guard let c = header.firstIndex(of: name) else {
                    throw ReportError.unreadable(
                        path: path, reason: "no '\(name)' column (a DE table has \(needed.joined(separator: ", ")))")
                }
                column[name] = c
            }
            let (ct, cf, cm, cr, cq) = (column["target"]!, column["feature"]!, column["target_mean"]!, column["ref_mean"]!, column["fdr"]!)
            let width = max(ct, cf, cm, cr, cq)
            var lastTarget: Range<Int>? = nil
            var current = ""
            while i < n {
                let fields = line()
                guard fields.count > width else { continue }
                let t = fields[ct]
                if lastTarget == nil || !bytes[t].elementsEqual(bytes[lastTarget!]) {
                    current = text(t)
                    lastTarget = t
                }
                let delta = log1p(number(fields[cm])) - log1p(number(fields[cr]))
                if delta.isFinite { effect[current, default: 0] += abs(delta) }
                if number(fields[cq]) < 0.05 {
                    significant[current, default: 0] += 1
                } else if significant[current] == nil {
                    significant[current] = 0
                }
                if keep.contains(current) { deltas[current, default: [:]][text(fields[cf])] = delta }
            }
        }
    }
}

/// Why a report could not be written.
enum ReportError: Error, CustomStringConvertible {
    case unreadable(path: String, reason: String)
    case unknownDirectory(path: String)

    var description: String {
        switch self {
        case .unreadable(let path, let reason): return "\(path): \(reason)"
        case .unknownDirectory(let path):
            return "\(path): not a results directory: expected leaderboard.csv (perturb benchmark), results.csv and "
                + "agg_results.csv (perturb eval), metrics.csv and per_condition.csv (perturb reverse), or table.csv and "
                + "scores.csv (perturb embed-eval)"
        }
    }
}
