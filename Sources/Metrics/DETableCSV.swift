import Foundation
import LinearAlgebra
import PerturbData

extension DETable {
    /// The table as CSV text with cell-eval's columns, groups formatted in parallel.
    public func csvData(threads: Int = defaultThreadCount()) -> Data {
        let names = features.map(CSVFormat.text)
        let chunks = parallelMap(groups.count, threads: threads) { g -> [UInt8] in
            let group = groups[g]
            let prefix = CSVFormat.text(group.target) + ","
            let membership = "," + String(group.targetCells) + "," + String(group.referenceCells) + ","
            var out = [UInt8]()
            out.reserveCapacity(group.count * 120)
            for r in 0..<group.count {
                var line = prefix
                line += names[Int(group.features[r])]
                line += ","
                line += CSVFormat.float(group.targetMean[r])
                line += ","
                line += CSVFormat.float(group.referenceMean[r])
                line += membership
                line += CSVFormat.double(group.log2FoldChange[r])
                line += ","
                line += CSVFormat.double(group.percentChange[r])
                line += ","
                line += CSVFormat.double(group.pValue[r])
                line += ","
                line += CSVFormat.double(group.statistic[r])
                line += ","
                line += CSVFormat.double(group.fdr[r])
                line += "\n"
                out.append(contentsOf: line.utf8)
            }
            return out
        }
        var data = Data((DETable.columns.joined(separator: ",") + "\n").utf8)
        data.reserveCapacity(chunks.reduce(data.count) { $0 + $1.count })
        for chunk in chunks { data.append(contentsOf: chunk) }
        return data
    }

    /// Writes the table to `path` atomically.
    public func write(to path: String, threads: Int = defaultThreadCount()) throws {
        try AtomicFile.write(csvData(threads: threads), to: path)
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
            if let known = featureIndex[gene] { f = known } else {
                f = Int32(features.count); featureIndex[gene] = f; features.append(gene)
            }
            let g: Int
            if let known = groupIndex[name] { g = known } else {
                g = groups.count; groupIndex[name] = g
                let members = { (c: Int?) in c.flatMap { Int(csv.rows[r][$0]) } ?? 0 }
                groups.append(DEGroup(target: name, targetCells: members(tMembers), referenceCells: members(rMembers),
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
