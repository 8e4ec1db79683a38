import AnnData
import Foundation
import LinearAlgebra
import Statistics

/// The dispersion flavors (`seurat`, `cell_ranger`) of scanpy 1.11, single batch and batched.
enum DispersionHVG {
    /// Per-gene quantities of one batch.
    struct Frame {
        var means: [Double]
        var dispersions: [Double]
        var normalized: [Double]
        var highlyVariable: [Bool]
        var batchCount: [Int]? = nil
        var intersection: [Bool]? = nil

        func result(includeBatchColumns: Bool) -> HVGResult {
            var columns: [(name: String, values: Column)] = [
                ("highly_variable", .boolean(highlyVariable)),
                ("means", .numeric(means, .float64)),
                ("dispersions", .numeric(dispersions, .float64)),
                // scanpy stores the normalized dispersion as float32.
                ("dispersions_norm", .numeric(normalized.map { Double(Float($0)) }, .float32)),
            ]
            if includeBatchColumns, let batchCount, let intersection {
                columns.append(("highly_variable_nbatches", .numeric(batchCount.map(Double.init), .int64)))
                columns.append(("highly_variable_intersection", .boolean(intersection)))
            }
            return HVGResult(highlyVariable: highlyVariable, columns: columns)
        }
    }

    /// `_highly_variable_genes_single_batch` without gene filtering.
    static func singleBatch(_ x: CSRMatrix, options: HVGOptions) throws -> Frame {
        let seurat = options.flavor == .seurat
        let moments = seurat ? GeneMoments(x, transform: { Foundation.expm1($0) }) : GeneMoments(x)
        var mean = moments.mean.map { $0 == 0 ? 1e-12 : $0 }
        var dispersion = zip(moments.variance, mean).map { $0 / $1 }
        if seurat {
            dispersion = dispersion.map { $0 == 0 ? .nan : Foundation.log($0) }
            mean = mean.map { Foundation.log1p($0) }
        }
        let bin = seurat ? equalWidthBins(mean, count: options.bins) : try percentileBins(mean)
        let (center, scale) = seurat ? seuratBinStats(dispersion, bin: bin) : cellRangerBinStats(dispersion, bin: bin)
        let normalized = dispersion.indices.map { (dispersion[$0] - center[bin[$0]]) / scale[bin[$0]] }
        let hv: [Bool]
        switch options.selection {
        case .top(let n): hv = topByNormalizedDispersion(normalized, count: n)
        case .cutoffs(let cut):
            hv = normalized.indices.map { cut.contains(mean: mean[$0], dispersion: nanToNum(normalized[$0])) }
        }
        return Frame(means: mean, dispersions: dispersion, normalized: normalized, highlyVariable: hv)
    }

    /// `_highly_variable_genes_batched`: each batch on its expressed genes, then means across batches, genes
    /// ordered by the number of batches that call them and then by mean normalized dispersion.
    static func batched(_ x: CSRMatrix, batches: [String], geneNames: [String]?, options: HVGOptions) throws -> HVGResult {
        let genes = x.columns
        var meanSum = [Double](repeating: 0, count: genes), meanCount = [Int](repeating: 0, count: genes)
        var dispSum = meanSum, dispCount = meanCount, normSum = meanSum, normCount = meanCount
        var calls = [Int](repeating: 0, count: genes)
        let levels = Array(Set(batches)).sorted()
        for level in levels {
            let rows = batches.indices.filter { batches[$0] == level }
            let subset = x.selectingRows(rows)
            let cellsPerGene = subset.columnNonZeroCounts()
            let expressed = cellsPerGene.indices.filter { cellsPerGene[$0] > 0 }
            var frame = Frame(
                means: .init(repeating: 0, count: genes), dispersions: .init(repeating: 0, count: genes),
                normalized: .init(repeating: 0, count: genes), highlyVariable: .init(repeating: false, count: genes))
            if !expressed.isEmpty {
                let part = try singleBatch(subset.selectingColumns(expressed), options: options)
                for (j, g) in expressed.enumerated() {
                    frame.means[g] = part.means[j]
                    frame.dispersions[g] = part.dispersions[j]
                    frame.normalized[g] = part.normalized[j]
                    frame.highlyVariable[g] = part.highlyVariable[j]
                }
            }
            for g in 0..<genes {
                accumulate(frame.means[g], &meanSum[g], &meanCount[g])
                accumulate(frame.dispersions[g], &dispSum[g], &dispCount[g])
                accumulate(frame.normalized[g], &normSum[g], &normCount[g])
                if frame.highlyVariable[g] { calls[g] += 1 }
            }
        }
        func average(_ s: [Double], _ c: [Int]) -> [Double] { zip(s, c).map { $1 > 0 ? $0 / Double($1) : .nan } }
        let means = average(meanSum, meanCount), dispersions = average(dispSum, dispCount)
        let normalized = average(normSum, normCount)
        var hv: [Bool]
        switch options.selection {
        case .top(let n):
            hv = [Bool](repeating: false, count: genes)
            let order = rankByCallsThenDispersion(calls: calls, normalized: normalized, names: geneNames)
            for g in order.prefix(n) { hv[g] = true }
        case .cutoffs(let cut):
            hv = (0..<genes).map { cut.contains(mean: means[$0], dispersion: normalized[$0].isNaN ? 0 : normalized[$0]) }
        }
        var frame = Frame(means: means, dispersions: dispersions, normalized: normalized, highlyVariable: hv)
        frame.batchCount = calls
        frame.intersection = calls.map { $0 == levels.count }
        return frame.result(includeBatchColumns: true)
    }

    private static func accumulate(_ v: Double, _ sum: inout Double, _ count: inout Int) {
        if !v.isNaN { sum += v; count += 1 }
    }

    /// Gene order of the batched top-n choice: calls descending, normalized dispersion descending (NaN
    /// last), ties in the order pandas' groupby leaves them: by gene name (code points), else by position.
    static func rankByCallsThenDispersion(calls: [Int], normalized: [Double], names: [String]?) -> [Int] {
        let tieOrder = names.map(codePointRanks) ?? Array(normalized.indices)
        return normalized.indices.sorted { a, b in
            if calls[a] != calls[b] { return calls[a] > calls[b] }
            let (x, y) = (normalized[a], normalized[b])
            if x.isNaN != y.isNaN { return !x.isNaN }
            if !x.isNaN && x != y { return x > y }
            return tieOrder[a] < tieOrder[b]
        }
    }

    /// Each name's position when the names are sorted by Unicode code points (Python's string order).
    static func codePointRanks(_ names: [String]) -> [Int] {
        let order = names.indices.sorted { names[$0].unicodeScalars.lexicographicallyPrecedes(names[$1].unicodeScalars) }
        var rank = [Int](repeating: 0, count: names.count)
        for (r, i) in order.enumerated() { rank[i] = r }
        return rank
    }

    /// `pd.cut(means, bins=count)`: equal-width right-closed bins over [min, max], the first edge lowered by
    /// 0.1 % of the range; returns each gene's bin.
    static func equalWidthBins(_ values: [Double], count: Int) -> [Int] {
        var low = values.min() ?? 0, high = values.max() ?? 0
        var edges: [Double]
        if low == high {
            low -= low != 0 ? 0.001 * abs(low) : 0.001
            high += high != 0 ? 0.001 * abs(high) : 0.001
            edges = linspace(low, high, count + 1)
        } else {
            edges = linspace(low, high, count + 1)
            edges[0] -= (high - low) * 0.001
        }
        return values.map { rightClosedBin($0, edges: edges) }
    }

    /// cell_ranger's bins: edges at −∞, the 10th, 15th, …, 100th percentiles of the means, +∞.
    static func percentileBins(_ values: [Double]) throws -> [Int] {
        let sorted = values.sorted()
        let edges =
            [-Double.infinity] + stride(from: 10, through: 100, by: 5).map { linearPercentile(sorted: sorted, Double($0)) }
            + [Double.infinity]
        guard Set(edges).count == edges.count else { throw HVGError.duplicateBinEdges(edges) }
        return values.map { rightClosedBin($0, edges: edges) }
    }

    /// numpy's `linspace` arithmetic: `i · step + start`, the last value exactly `stop`.
    static func linspace(_ start: Double, _ stop: Double, _ n: Int) -> [Double] {
        let step = (stop - start) / Double(n - 1)
        var out = (0..<n).map { Double($0) * step + start }
        out[n - 1] = stop
        return out
    }

    /// The bin `(edges[i], edges[i+1]]` holding `x` (pandas `searchsorted(side="left") − 1`).
    static func rightClosedBin(_ x: Double, edges: [Double]) -> Int {
        var lo = 0, hi = edges.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if edges[mid] < x { lo = mid + 1 } else { hi = mid }
        }
        return max(0, min(lo - 1, edges.count - 2))
    }

    /// Mean and standard deviation (ddof 1, NaN skipped) per bin; bins with one gene get mean 0 and
    /// deviation equal to their mean, as `_postprocess_dispersions_seurat` does.
    static func seuratBinStats(_ dispersion: [Double], bin: [Int]) -> ([Double], [Double]) {
        let groups = grouped(dispersion, bin: bin).map { $0.filter { !$0.isNaN } }
        var center = groups.map { g in g.isEmpty ? Double.nan : g.reduce(0, +) / Double(g.count) }
        var scale = groups.indices.map { i -> Double in
            let g = groups[i]
            guard g.count > 1 else { return .nan }
            let m = center[i]
            return (g.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(g.count - 1)).squareRoot()
        }
        for i in groups.indices where scale[i].isNaN {
            scale[i] = center[i]
            center[i] = 0
        }
        return (center, scale)
    }

    /// Median and MAD (statsmodels: median of |x − median| / Φ⁻¹(3/4)) per bin.
    static func cellRangerBinStats(_ dispersion: [Double], bin: [Int]) -> ([Double], [Double]) {
        let groups = grouped(dispersion, bin: bin)
        let center = groups.map { g in numpyMedian(g.filter { !$0.isNaN }) }
        let scale = groups.indices.map { i in numpyMedian(groups[i].map { abs($0 - center[i]) / 0.6744897501960817 }) }
        return (center, scale)
    }

    private static func grouped(_ values: [Double], bin: [Int]) -> [[Double]] {
        var groups = [[Double]](repeating: [], count: (bin.max() ?? -1) + 1)
        for (v, b) in zip(values, bin) { groups[b].append(v) }
        return groups
    }

    /// `_subset_genes` with `n_top_genes`: genes at or above the n-th highest non-NaN normalized dispersion.
    static func topByNormalizedDispersion(_ normalized: [Double], count n: Int) -> [Bool] {
        let finite = normalized.filter { !$0.isNaN }.sorted(by: >)
        guard !finite.isEmpty else { return normalized.map { _ in false } }
        let cut = finite[min(n, normalized.count, finite.count) - 1]
        return normalized.map { ($0.isNaN ? -Double.infinity : $0) >= cut }
    }

    /// numpy's `nan_to_num`: NaN → 0, ±∞ → ±greatest finite.
    static func nanToNum(_ x: Double) -> Double {
        if x.isNaN { return 0 }
        if x.isInfinite { return x > 0 ? .greatestFiniteMagnitude : -.greatestFiniteMagnitude }
        return x
    }
}
