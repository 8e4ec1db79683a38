import Foundation
import LinearAlgebra
import PerturbData
import Statistics
import AnnData

/// Options of the differential expression engine.
public struct DEOptions: Sendable {
    /// Which tests share one Benjamini–Hochberg correction.
    public enum FDRScope: String, Sendable, CaseIterable {
        /// Per perturbation, across genes (pdex and cell-eval 0.8.2).
        case perturbation
        /// Across every perturbation × gene test at once (the 2025 Virtual Cell Challenge scorer).
        case global
    }
    /// FDR scope (default per perturbation).
    public var fdrScope: FDRScope
    /// Worker threads.
    public var threads: Int
    /// Whether the values are log1p already (else counts: log1p is applied for the means only, as pdex does).
    public var valuesAreLog1p: Bool
    /// Called with (genes done, genes total).
    public var progress: ProgressHandler?

    /// Options with defaults: per-perturbation FDR, all cores, log1p values.
    public init(fdrScope: FDRScope = .perturbation, threads: Int = defaultThreadCount(), valuesAreLog1p: Bool = true,
                progress: ProgressHandler? = nil) {
        self.fdrScope = fdrScope
        self.threads = threads
        self.valuesAreLog1p = valuesAreLog1p
        self.progress = progress
    }
}

/// Differential expression of every perturbation against the control, exactly as pdex 0.3.0 `mode="ref"` with
/// cell-eval's settings (geometric means, ε = 0): Mann-Whitney U per gene, fold changes of expm1 mean log1p
/// expression, BH-adjusted p-values.
///
/// Each gene's control non-zeros are sorted once; each perturbation's few non-zeros are sorted and merged into
/// them; zeros are one analytic tied block; genes run in parallel. Means are accumulated in float32 in cell
/// order exactly as scipy's sparse mean does, so fold changes (and the gene rankings built on them) match
/// cell-eval bit for bit.
public enum DifferentialExpression {
    /// Runs the tests for every non-control perturbation of `data`, in sorted label order.
    public static func run(_ data: PerturbationDataset, options: DEOptions = DEOptions()) -> DETable {
        let labels = data.perturbationLabels
        let control = data.controlCells
        var code = [Int32](repeating: -1, count: data.cellCount)
        for (g, label) in labels.enumerated() {
            for cell in data.groups.cellsByPerturbation[label] ?? [] { code[cell] = Int32(g) }
        }
        let controlCode = Int32(labels.count)
        for cell in control { code[cell] = controlCode }
        let cellCode = code
        let sizes = labels.map { data.groups.cellsByPerturbation[$0]?.count ?? 0 } + [control.count]
        let matrix = data.expression
        let geneCount = data.geneCount
        let groupCount = labels.count
        let output = DEBuffers(groups: groupCount, genes: geneCount)
        let blocks = stride(from: 0, to: geneCount, by: 256).map { $0..<min($0 + 256, geneCount) }
        let done = ProgressCounter(total: geneCount, handler: options.progress)
        _ = parallelMap(blocks.count, threads: options.threads) { b -> Bool in
            var scratch = GeneScratch(groups: groupCount + 1, sizes: sizes)
            let block = GeneBlock(matrix, genes: blocks[b])
            for gene in blocks[b] {
                scratch.testGene(gene, block: block, code: cellCode, log1p: options.valuesAreLog1p, into: output)
            }
            done.add(blocks[b].count)
            return true
        }
        var groups = (0..<groupCount).map { g in
            output.group(g, target: labels[g], targetCells: sizes[g], referenceCells: control.count)
        }
        adjust(&groups, scope: options.fdrScope)
        return DETable(features: data.genes, groups: groups)
    }

    /// Fills `fdr` by Benjamini–Hochberg within each group or across all of them.
    static func adjust(_ groups: inout [DEGroup], scope: DEOptions.FDRScope) {
        switch scope {
        case .perturbation:
            for g in groups.indices { groups[g].fdr = benjaminiHochberg(groups[g].pValue) }
        case .global:
            let all = benjaminiHochberg(groups.flatMap(\.pValue))
            var offset = 0
            for g in groups.indices {
                groups[g].fdr = Array(all[offset..<offset + groups[g].count])
                offset += groups[g].count
            }
        }
    }
}

/// Per-group result columns (group-major), written by gene workers at disjoint positions.
final class DEBuffers: @unchecked Sendable {
    let genes: Int
    let mean: UnsafeMutableBufferPointer<Float>
    let pValue: UnsafeMutableBufferPointer<Double>
    let statistic: UnsafeMutableBufferPointer<Double>
    let controlMean: UnsafeMutableBufferPointer<Float>

    init(groups: Int, genes: Int) {
        self.genes = genes
        mean = .allocate(capacity: groups * genes)
        pValue = .allocate(capacity: groups * genes)
        statistic = .allocate(capacity: groups * genes)
        controlMean = .allocate(capacity: genes)
    }

    deinit {
        mean.deallocate(); pValue.deallocate(); statistic.deallocate(); controlMean.deallocate()
    }

    func group(_ g: Int, target: String, targetCells: Int, referenceCells: Int) -> DEGroup {
        let base = g * genes
        let tm = Array(mean[base..<base + genes]), rm = Array(controlMean)
        var lfc = [Double](repeating: 0, count: genes), pc = [Double](repeating: 0, count: genes)
        for j in 0..<genes {
            let ratio = log2(Double(tm[j]) / Double(rm[j]))
            lfc[j] = ratio.isNaN ? 0 : ratio
            let change = Double(tm[j] - rm[j]) / Double(rm[j])
            pc[j] = change.isNaN ? 0 : change
        }
        return DEGroup(target: target, targetCells: targetCells, referenceCells: referenceCells,
                       features: featureRange(genes), targetMean: tm, referenceMean: rm, log2FoldChange: lfc,
                       percentChange: pc, pValue: Array(pValue[base..<base + genes]),
                       statistic: Array(statistic[base..<base + genes]), fdr: [])
    }
}

/// 0..<n as feature indices, shared between groups (arrays are copy-on-write).
private func featureRange(_ n: Int) -> [Int32] {
    FeatureRangeCache.shared.range(n)
}

private final class FeatureRangeCache: @unchecked Sendable {
    static let shared = FeatureRangeCache()
    private let lock = NSLock()
    private var cached: [Int32] = []
    func range(_ n: Int) -> [Int32] {
        lock.lock(); defer { lock.unlock() }
        if cached.count != n { cached = (0..<n).map { Int32($0) } }
        return cached
    }
}

/// Reusable per-worker buffers for one gene at a time: values bucketed by group in cell order.
struct GeneScratch {
    let groups: Int
    let inverseSize: [Float]
    let sizes: [Int]
    var counts: [Int]
    var offsets: [Int]
    var bucket: [Float] = []

    init(groups: Int, sizes: [Int]) {
        self.groups = groups
        self.sizes = sizes
        // scipy's sparse mean multiplies each value by float32(1/n) before summing in float32.
        inverseSize = sizes.map { Float(1.0 / Double(max($0, 1))) }
        counts = [Int](repeating: 0, count: groups)
        offsets = [Int](repeating: 0, count: groups + 1)
    }

    mutating func testGene(_ gene: Int, block: GeneBlock, code: [Int32], log1p: Bool, into out: DEBuffers) {
        let local = gene - block.start
        let range = block.pointers[local]..<block.pointers[local + 1]
        for k in 0..<groups { counts[k] = 0 }
        block.cells.withUnsafeBufferPointer { cells in
            for k in range { let c = code[Int(cells[k])]; if c >= 0 { counts[Int(c)] += 1 } }
        }
        offsets[0] = 0
        for k in 0..<groups { offsets[k + 1] = offsets[k] + counts[k] }
        if bucket.count < offsets[groups] { bucket = [Float](repeating: 0, count: offsets[groups]) }
        var sums = [Float](repeating: 0, count: groups)
        var next = offsets
        block.cells.withUnsafeBufferPointer { cells in
            block.values.withUnsafeBufferPointer { values in
                for k in range {
                    let c = Int(code[Int(cells[k])])
                    guard c >= 0 else { continue }
                    let v = values[k]
                    bucket[next[c]] = v
                    next[c] += 1
                    let m = log1p ? v : Foundation.log1p(v)
                    sums[c] += m * inverseSize[c]
                }
            }
        }
        let control = groups - 1
        let reference = SortedReference(nonzeros: Array(bucket[offsets[control]..<offsets[control + 1]]),
                                        cellCount: sizes[control])
        out.controlMean[gene] = expm1(sums[control])
        bucket.withUnsafeMutableBufferPointer { all in
            for g in 0..<control {
                var slice = UnsafeMutableBufferPointer(rebasing: all[offsets[g]..<offsets[g + 1]])
                slice.sort()
                let result = reference.test(sortedNonzeros: UnsafeBufferPointer(slice), cellCount: sizes[g])
                let at = g * out.genes + gene
                out.mean[at] = expm1(sums[g])
                out.pValue[at] = result.pValue
                out.statistic[at] = result.statistic
            }
        }
    }
}

/// The entries of a range of genes gathered gene by gene (cells ascending within each gene) from a CSR matrix:
/// a local CSC slice built with two passes over the rows, so genes can be processed in parallel blocks without
/// transposing the whole matrix.
struct GeneBlock {
    let start: Int
    var pointers: [Int]
    var cells: [Int32]
    var values: [Float]

    init(_ x: CSRMatrix, genes: Range<Int>) {
        start = genes.lowerBound
        let width = genes.count
        var lower = [Int](repeating: 0, count: x.rows), upper = lower
        var counts = [Int](repeating: 0, count: width + 1)
        x.columnIndices.withUnsafeBufferPointer { columns in
            for r in 0..<x.rows {
                let range = x.range(ofRow: r)
                let lo = GeneBlock.lowerBound(columns, range, Int32(genes.lowerBound))
                let hi = GeneBlock.lowerBound(columns, lo..<range.upperBound, Int32(genes.upperBound))
                lower[r] = lo; upper[r] = hi
                for k in lo..<hi { counts[Int(columns[k]) - genes.lowerBound + 1] += 1 }
            }
        }
        for j in 0..<width { counts[j + 1] += counts[j] }
        var next = counts
        var cells = [Int32](repeating: 0, count: counts[width]), values = [Float](repeating: 0, count: counts[width])
        x.columnIndices.withUnsafeBufferPointer { columns in
            x.values.withUnsafeBufferPointer { stored in
                for r in 0..<x.rows {
                    for k in lower[r]..<upper[r] {
                        let j = Int(columns[k]) - genes.lowerBound
                        cells[next[j]] = Int32(r)
                        values[next[j]] = stored[k]
                        next[j] += 1
                    }
                }
            }
        }
        pointers = counts
        self.cells = cells
        self.values = values
    }

    private static func lowerBound(_ a: UnsafeBufferPointer<Int32>, _ range: Range<Int>, _ v: Int32) -> Int {
        var lo = range.lowerBound, hi = range.upperBound
        while lo < hi {
            let mid = (lo + hi) >> 1
            if a[mid] < v { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }
}
