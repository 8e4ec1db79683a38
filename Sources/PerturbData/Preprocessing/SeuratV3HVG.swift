import AnnData
import Foundation
import LinearAlgebra
import Statistics

/// scanpy 1.11's `seurat_v3` / `seurat_v3_paper` flavors (`_highly_variable_genes_seurat_v3`) on counts.
enum SeuratV3HVG {
    static func select(_ x: CSRMatrix, topGenes n: Int, batches: [String]?, options: HVGOptions) throws -> HVGResult {
        let genes = x.columns
        let overall = GeneMoments(x)
        let levels = batches.map { Array(Set($0)).sorted() } ?? [""]
        var normalizedVariance: [[Double]] = []
        for level in levels {
            let rows = batches.map { b in b.indices.filter { b[$0] == level } }
            // Without batches the one "batch" is every cell, whose moments are already `overall`.
            normalizedVariance.append(
                try batchNormalizedVariance(
                    x, rows: rows, moments: rows.map { GeneMoments(x, rows: $0) } ?? overall,
                    batch: batches == nil ? nil : level, span: options.span))
        }
        var ranks = [[Float]](repeating: [Float](repeating: .nan, count: genes), count: levels.count)
        var calls = [Int](repeating: 0, count: genes)
        for (b, values) in normalizedVariance.enumerated() {
            let order = values.indices.sorted { i, j in
                let (u, v) = (-values[i], -values[j])
                if u.isNaN != v.isNaN { return !u.isNaN }
                if !u.isNaN && u != v { return u < v }
                return i < j
            }
            for (rank, g) in order.enumerated() where rank < n {
                ranks[b][g] = Float(rank)
                calls[g] += 1
            }
        }
        let medianRank = (0..<genes).map { g in maskedMedian(ranks.map { $0[g] }) }
        let meanNormalized = (0..<genes).map { g in normalizedVariance.reduce(0) { $0 + $1[g] } / Double(levels.count) }
        let paper = options.flavor == .seuratV3Paper
        let order = (0..<genes).sorted { a, b in
            let byRank = compareRank(medianRank[a], medianRank[b]), byCalls = calls[a] == calls[b] ? 0 : (calls[a] > calls[b] ? -1 : 1)
            let first = paper ? byCalls : byRank, second = paper ? byRank : byCalls
            if first != 0 { return first < 0 }
            if second != 0 { return second < 0 }
            return a < b
        }
        var hv = [Bool](repeating: false, count: genes)
        for g in order.prefix(n) { hv[g] = true }
        var columns: [(name: String, values: Column)] = [
            ("highly_variable", .boolean(hv)),
            ("highly_variable_rank", .numeric(medianRank.map(Double.init), .float32)),
            ("means", .numeric(overall.mean, .float64)),
            ("variances", .numeric(overall.variance, .float64)),
            ("variances_norm", .numeric(meanNormalized, .float64)),
        ]
        if batches != nil { columns.append(("highly_variable_nbatches", .numeric(calls.map(Double.init), .int64))) }
        return HVGResult(highlyVariable: hv, columns: columns)
    }

    /// One batch's variance of standardized counts clipped at √n regularized standard deviations, the
    /// regularized deviation from a degree-2, span-0.3 LOESS of log10 variance on log10 mean.
    /// `moments` are those of the same rows (`GeneMoments(x, rows: rows)`).
    static func batchNormalizedVariance(
        _ x: CSRMatrix, rows: [Int]?, moments: GeneMoments, batch: String?,
        span: Double
    ) throws -> [Double] {
        let varying = moments.variance.indices.filter { moments.variance[$0] > 0 }
        guard varying.count > 3 else { throw HVGError.tooFewGenes(batch: batch, count: varying.count) }
        let fitted: [Double]
        do {
            fitted = try Loess(span: span, degree: 2).fittedValues(
                x: varying.map { Foundation.log10(moments.mean[$0]) },
                y: varying.map { Foundation.log10(moments.variance[$0]) })
        } catch {
            throw HVGError.loess(batch: batch, reason: "\(error)")
        }
        var estimate = [Double](repeating: 0, count: x.columns)
        for (j, g) in varying.enumerated() { estimate[g] = fitted[j] }
        let regularizedSD = estimate.map { Foundation.pow(10, $0).squareRoot() }
        let cells = rows ?? Array(0..<x.rows)
        let n = Double(cells.count)
        let clip = (0..<x.columns).map { regularizedSD[$0] * n.squareRoot() + moments.mean[$0] }
        var sums = [Double](repeating: 0, count: x.columns), squares = sums
        for r in cells {
            for k in x.range(ofRow: r) {
                let c = Int(x.columnIndices[k])
                let v = min(Double(x.values[k]), clip[c])
                squares[c] += v * v
                sums[c] += v
            }
        }
        return (0..<x.columns).map { c in
            let m = moments.mean[c], sd = regularizedSD[c]
            return (1 / ((n - 1) * (sd * sd))) * ((n * (m * m)) + squares[c] - 2 * sums[c] * m)
        }
    }

    /// `np.ma.median` over the non-NaN ranks (float32 arithmetic); NaN when there are none.
    static func maskedMedian(_ values: [Float]) -> Float {
        let s = values.filter { !$0.isNaN }.sorted()
        guard !s.isEmpty else { return .nan }
        let m = s.count / 2
        return s.count % 2 == 1 ? s[m] : (s[m - 1] + s[m]) / 2
    }

    /// Ascending order with NaN last: −1, 0 or 1.
    static func compareRank(_ a: Float, _ b: Float) -> Int {
        if a.isNaN || b.isNaN { return a.isNaN == b.isNaN ? 0 : (a.isNaN ? 1 : -1) }
        return a == b ? 0 : (a < b ? -1 : 1)
    }
}
