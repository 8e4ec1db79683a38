import Foundation
import LinearAlgebra
import PerturbData
import Statistics
import AnnData
import Support

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
    public init(
        fdrScope: FDRScope = .perturbation, threads: Int = defaultThreadCount(), valuesAreLog1p: Bool = true,
        progress: ProgressHandler? = nil
    ) {
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
/// Each gene's non-zeros (all groups and the control) are radix-sorted once and every perturbation's test comes
/// out of one pass over them (``GroupRankSums``); zeros are one analytic tied block; blocks of genes run in
/// parallel. Means are accumulated in float32 in cell order exactly as scipy's sparse mean does, so fold changes
/// (and the gene rankings built on them) match cell-eval bit for bit.
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
        // Gene blocks of about 4M stored entries: wide enough that each row's window spans many cache lines
        // (the gather is bound by the first touch of every row), small enough to bound memory.
        let perGene = max(1, matrix.nonZeroCount / max(geneCount, 1))
        let width = min(max(4_000_000 / perGene, 64), 4096)
        let blocks = stride(from: 0, to: geneCount, by: width).map { $0..<min($0 + width, geneCount) }
        let done = ProgressCounter(total: geneCount, handler: options.progress)
        // Each worker takes a contiguous run of gene blocks and walks every row's entries forward with a cursor,
        // so each stored value is read once and no row is binary-searched per block.
        let workers = max(1, min(options.threads, blocks.count))
        _ = parallelMap(workers, threads: workers) { w -> Bool in
            let mine = blocks.indices.filter { $0 * workers / blocks.count == w }
            guard let first = mine.first else { return true }
            let scratch = GeneScratch(groups: groupCount + 1, sizes: sizes)
            let cursor = RowCursor(matrix, startingAt: blocks[first].lowerBound)
            for b in mine {
                let block = GeneBlock(matrix, genes: blocks[b], cursor: cursor)
                cellCode.withUnsafeBufferPointer { code in
                    for gene in blocks[b] {
                        scratch.testGene(gene, block: block, code: code, log1p: options.valuesAreLog1p, into: output)
                    }
                }
                done.add(blocks[b].count)
            }
            return true
        }
        var groups = parallelMap(groupCount, threads: options.threads) { g in
            var group = output.group(g, target: labels[g], targetCells: sizes[g], referenceCells: control.count)
            if options.fdrScope == .perturbation { group.fdr = benjaminiHochberg(group.pValue) }
            return group
        }
        if options.fdrScope == .global { adjust(&groups, scope: .global) }
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
        return DEGroup(
            target: target, targetCells: targetCells, referenceCells: referenceCells,
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

/// Reusable per-worker state for one gene at a time: float32 sums per group in cell order (for the means) and
/// the one-sort rank engine.
final class GeneScratch {
    let groups: Int
    let sizes: [Int]
    let inverseSize: [Float]
    var sums: [Float]
    let ranks: GroupRankSums

    init(groups: Int, sizes: [Int]) {
        self.groups = groups
        self.sizes = sizes
        // scipy's sparse mean multiplies each value by float32(1/n) before summing in float32.
        inverseSize = sizes.map { Float(1.0 / Double(max($0, 1))) }
        sums = [Float](repeating: 0, count: groups)
        ranks = GroupRankSums(groups: groups)
    }

    func testGene(_ gene: Int, block: GeneBlock, code: UnsafeBufferPointer<Int32>, log1p: Bool, into out: DEBuffers) {
        let local = gene - block.start
        let start = block.pointers[local], end = block.pointers[local + 1]
        let cells = block.cells, values = block.values
        ranks.reset(expecting: end - start)
        sums.withUnsafeMutableBufferPointer { sums in
            inverseSize.withUnsafeBufferPointer { inverse in
                for g in 0..<groups { sums[g] = 0 }
                for k in start..<end {
                    let c = code[Int(cells[k])]
                    guard c >= 0 else { continue }
                    let v = values[k]
                    ranks.add(v, group: c)
                    let m = log1p ? v : Foundation.log1p(v)
                    sums[Int(c)] += m * inverse[Int(c)]
                }
            }
        }
        out.controlMean[gene] = expm1(sums[groups - 1])
        sizes.withUnsafeBufferPointer { sizes in
            ranks.test(sizes: sizes) { g, result in
                let at = g * out.genes + gene
                out.mean[at] = expm1(sums[g])
                out.pValue[at] = result.pValue
                out.statistic[at] = result.statistic
            }
        }
    }
}

/// Per row, the position of the first stored entry not yet gathered.
final class RowCursor {
    let position: UnsafeMutableBufferPointer<Int>

    /// Cursors at the first entry of each row whose gene is ≥ `gene`.
    init(_ x: CSRMatrix, startingAt gene: Int) {
        position = .allocate(capacity: max(x.rows, 1))
        x.rowPointers.withUnsafeBufferPointer { pointers in
            x.columnIndices.withUnsafeBufferPointer { columns in
                for r in 0..<x.rows {
                    var lo = Int(pointers[r]), hi = Int(pointers[r + 1])
                    while lo < hi {
                        let mid = (lo + hi) >> 1
                        if Int(columns[mid]) < gene { lo = mid + 1 } else { hi = mid }
                    }
                    position[r] = lo
                }
            }
        }
    }

    deinit { position.deallocate() }
}

final class GeneBlock {
    let start: Int
    let pointers: UnsafeMutableBufferPointer<Int>
    let cells: UnsafeMutableBufferPointer<Int32>
    let values: UnsafeMutableBufferPointer<Float>

    /// Gathers genes `genes` from each row's cursor onwards (the cursor must sit at the block's first gene)
    /// and leaves the cursors after the block.
    init(_ x: CSRMatrix, genes: Range<Int>, cursor: RowCursor) {
        start = genes.lowerBound
        let width = genes.count, rows = x.rows
        let counts = UnsafeMutableBufferPointer<Int>.allocate(capacity: width + 1)
        counts.initialize(repeating: 0)
        let first = Int32(genes.lowerBound), last = Int32(genes.upperBound)
        let position = cursor.position
        x.rowPointers.withUnsafeBufferPointer { pointers in
            x.columnIndices.withUnsafeBufferPointer { columns in
                for r in 0..<rows {
                    let end = Int(pointers[r + 1])
                    var k = position[r]
                    while k < end && columns[k] < last { counts[Int(columns[k] - first) + 1] += 1; k += 1 }
                }
            }
        }
        for j in 0..<width { counts[j + 1] += counts[j] }
        let total = counts[width]
        let next = UnsafeMutableBufferPointer<Int>.allocate(capacity: width)
        defer { next.deallocate() }
        for j in 0..<width { next[j] = counts[j] }
        let cells = UnsafeMutableBufferPointer<Int32>.allocate(capacity: max(total, 1))
        let values = UnsafeMutableBufferPointer<Float>.allocate(capacity: max(total, 1))
        x.rowPointers.withUnsafeBufferPointer { pointers in
            x.columnIndices.withUnsafeBufferPointer { columns in
                x.values.withUnsafeBufferPointer { stored in
                    for r in 0..<rows {
                        let end = Int(pointers[r + 1])
                        var k = position[r]
                        while k < end && columns[k] < last {
                            let j = Int(columns[k] - first)
                            let at = next[j]
                            cells[at] = Int32(r)
                            values[at] = stored[k]
                            next[j] = at + 1
                            k += 1
                        }
                        position[r] = k
                    }
                }
            }
        }
        pointers = counts
        self.cells = cells
        self.values = values
    }

    deinit { pointers.deallocate(); cells.deallocate(); values.deallocate() }
}
