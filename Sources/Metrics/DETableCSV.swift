import Foundation
import LinearAlgebra
import PerturbData
import Support

extension DETable {
    /// The rows of group `g` as CSV bytes.
    func csvRows(_ g: Int, names: [[UInt8]]) -> [UInt8] {
        let group = groups[g]
        let prefix = Array((CSVFormat.text(group.target) + ",").utf8)
        let membership = Array(("," + String(group.targetCells) + "," + String(group.referenceCells) + ",").utf8)
        let comma = UInt8(ascii: ","), newline = UInt8(ascii: "\n")
        var out = CSVBytes(capacity: group.count * 130)
        let doubles = [group.log2FoldChange, group.percentChange, group.pValue, group.statistic, group.fdr]
        for r in 0..<group.count {
            out.append(prefix)
            out.append(names[Int(group.features[r])])
            out.append(comma)
            CSVFormat.append(group.targetMean[r], to: &out)
            out.append(comma)
            CSVFormat.append(group.referenceMean[r], to: &out)
            out.append(membership)
            for (i, column) in doubles.enumerated() {
                if i > 0 { out.append(comma) }
                CSVFormat.append(column[r], to: &out)
            }
            out.append(newline)
        }
        return out.bytes
    }

    /// Writes the table to `path` atomically, formatting groups in parallel batches and streaming them to disk
    /// so memory stays bounded.
    public func write(to path: String, threads: Int = defaultThreadCount()) throws {
        let names = features.map { Array(CSVFormat.text($0).utf8) }
        try AtomicFile.stream(to: path) { sink in
            try sink(Data((DETable.columns.joined(separator: ",") + "\n").utf8))
            let batch = max(1, threads * 4)
            for start in stride(from: 0, to: groups.count, by: batch) {
                let end = min(start + batch, groups.count)
                let chunks = parallelMap(end - start, threads: threads) { csvRows(start + $0, names: names) }
                for chunk in chunks { try sink(Data(chunk)) }
            }
        }
    }

    /// Reads a DE table written by pdex / cell-eval (or by us). Requires `target`, `feature`,
    /// `log2_fold_change`, `p_value` and `fdr`; other columns are optional. Rows are grouped by target in order
    /// of first appearance, keeping row order within each target.
    public static func read(path: String) throws -> DETable {
        let csv = try CSVTable(contentsOf: path)
        let target = try csv.column("target"), feature = try csv.column("feature")
        let lfc = try csv.column("log2_fold_change"), p = try csv.column("p_value"), fdr = try csv.column("fdr")
        let optional = { (name: String) in csv.header.firstIndex(of: name) }
        let tm = optional("target_mean"), rm = optional("ref_mean") ?? optional("reference_mean")
        let tMembers = optional("target_membership"), rMembers = optional("ref_membership")
        let pc = optional("percent_change"), u = optional("statistic")
        func number(_ row: Int, _ column: Int, _ name: String) throws -> Double {
            let cell = csv.rows[row][column]
            guard let value = Double(cell) ?? (cell.lowercased() == "nan" ? Double.nan : nil) else {
                throw EvaluationError.invalidCell(path: path, field: name, row: row + 2, value: cell, expected: "a number")
            }
            return value
        }
        var featureIndex: [String: Int32] = [:], features: [String] = []
        var groupIndex: [String: Int] = [:], groups: [DEGroup] = []
        for r in csv.rows.indices {
            let name = csv.rows[r][target], gene = csv.rows[r][feature]
            let f: Int32
            if let known = featureIndex[gene] {
                f = known
            } else {
                f = Int32(features.count); featureIndex[gene] = f; features.append(gene)
            }
            let g: Int
            if let known = groupIndex[name] {
                g = known
            } else {
                g = groups.count; groupIndex[name] = g
                let members = { (c: Int?) in c.flatMap { Int(csv.rows[r][$0]) } ?? 0 }
                groups.append(
                    DEGroup(
                        target: name, targetCells: members(tMembers), referenceCells: members(rMembers),
                        features: [], targetMean: [], referenceMean: [], log2FoldChange: [],
                        percentChange: [], pValue: [], statistic: [], fdr: []))
            }
            groups[g].features.append(f)
            groups[g].targetMean.append(Float(try tm.map { try number(r, $0, "target_mean") } ?? .nan))
            groups[g].referenceMean.append(Float(try rm.map { try number(r, $0, "ref_mean") } ?? .nan))
            groups[g].log2FoldChange.append(try number(r, lfc, "log2_fold_change"))
            groups[g].percentChange.append(try pc.map { try number(r, $0, "percent_change") } ?? .nan)
            groups[g].pValue.append(try number(r, p, "p_value"))
            groups[g].statistic.append(try u.map { try number(r, $0, "statistic") } ?? .nan)
            groups[g].fdr.append(try number(r, fdr, "fdr"))
        }
        return DETable(features: features, groups: groups)
    }
}
