import Foundation

/// The result of a two-sided Mann-Whitney U test.
public struct MannWhitneyResult: Sendable, Equatable {
    /// U of the first sample (the perturbation group).
    public var statistic: Double
    /// Two-sided p-value (normal approximation, tie and continuity corrected), clipped to [0, 1].
    public var pValue: Double

    /// A result from its parts.
    public init(statistic: Double, pValue: Double) {
        self.statistic = statistic
        self.pValue = pValue
    }
}

/// Mann-Whitney U with the asymptotic normal approximation, tie correction Σ(t³ − t) and continuity
/// correction 0.5 — the arithmetic of `scipy.stats.mannwhitneyu(method="asymptotic")` and of pdex 0.3.0's
/// numba kernels, in the same operation order so p-values agree to the last bits.
public enum MannWhitney {
    /// The test from the rank sum `rankSum` of the first sample (n1 values) in the combined ranking with the
    /// second (n2 values), and the tie term Σ(t³ − t) over all tie groups of the combined sample.
    @inline(__always)
    public static func result(rankSum: Double, n1: Int, n2: Int, tieTerm: Double) -> MannWhitneyResult {
        let a = Double(n1)
        let n = n1 + n2
        let u1 = rankSum - a * (a + 1.0) / 2.0
        let u2 = Double(n1 * n2) - u1
        let mu = Double(n1 * n2) / 2.0
        let denom = Double(n) * Double(n - 1)
        let varInner = (Double(n) + 1.0) - tieTerm / denom
        let sSquared = Double(n1 * n2) / 12.0 * varInner
        guard sSquared > 0 else { return MannWhitneyResult(statistic: u1, pValue: 1) }
        let z = (max(u1, u2) - mu - 0.5) / sSquared.squareRoot()
        let p = 0.5 * erfc(z / 2.0.squareRoot()) * 2.0
        return MannWhitneyResult(statistic: u1, pValue: min(max(p, 0), 1))
    }

    /// The test on two plain samples (ranks every value; for small inputs and as the reference for the
    /// sparse merge in ``SortedReference``).
    public static func test(_ x: [Double], _ y: [Double]) -> MannWhitneyResult {
        let all = x + y
        let order = all.indices.sorted { all[$0] < all[$1] }
        var rankSum = 0.0, tieTerm = 0.0
        var i = 0
        while i < order.count {
            var j = i
            while j + 1 < order.count && all[order[j + 1]] == all[order[i]] { j += 1 }
            let rank = Double(i + j) / 2.0 + 1.0
            let t = Double(j - i + 1)
            tieTerm += t * t * t - t
            for k in i...j where order[k] < x.count { rankSum += rank }
            i = j + 1
        }
        return result(rankSum: rankSum, n1: x.count, n2: y.count, tieTerm: tieTerm)
    }
}

/// The non-zero values of one gene in the reference (control) group, sorted and run-length encoded once, so
/// that each perturbation group is tested by merging its own few sorted non-zeros into it. Zeros are never
/// stored: they form one tied block at the bottom of the ranking and enter the test analytically.
public struct SortedReference: Sendable {
    /// Distinct non-zero values, ascending.
    public let values: [Float]
    /// Number of reference cells holding each distinct value.
    public let counts: [Int]
    /// Number of reference non-zeros below each distinct value (length `values.count + 1`).
    public let below: [Int]
    /// Σ(t³ − t) over reference-only runs, prefix sums (length `values.count + 1`).
    let tiePrefix: [Double]
    /// Number of reference cells (zeros included).
    public let cellCount: Int

    /// Builds the reference from its non-zero values (any order) and its total number of cells.
    public init(nonzeros: [Float], cellCount: Int) {
        precondition(nonzeros.count <= cellCount, "more non-zeros than cells")
        var sorted = nonzeros
        sorted.withUnsafeMutableBufferPointer { if let base = $0.baseAddress { sortFloats(base, $0.count) } }
        var values: [Float] = [], counts: [Int] = []
        values.reserveCapacity(sorted.count)
        counts.reserveCapacity(sorted.count)
        for v in sorted {
            if let last = values.last, last == v { counts[counts.count - 1] += 1 } else { values.append(v); counts.append(1) }
        }
        var below = [Int](repeating: 0, count: values.count + 1)
        var tie = [Double](repeating: 0, count: values.count + 1)
        for k in 0..<values.count {
            below[k + 1] = below[k] + counts[k]
            let t = Double(counts[k])
            tie[k + 1] = tie[k] + (t * t * t - t)
        }
        self.values = values
        self.counts = counts
        self.below = below
        self.tiePrefix = tie
        self.cellCount = cellCount
    }

    /// Number of reference non-zeros.
    public var nonzeroCount: Int { below[values.count] }

    /// Tests a group of `cellCount` cells whose non-zero values are `sortedNonzeros` (ascending) against
    /// the reference. Zeros of both groups form one tied block.
    public func test(sortedNonzeros a: UnsafeBufferPointer<Float>, cellCount nA: Int) -> MannWhitneyResult {
        let nB = cellCount
        let nnz = a.count + nonzeroCount
        let nz = nA + nB - nnz
        let nzA = nA - a.count
        if nnz == 0 { return MannWhitneyResult(statistic: Double(nA * nB) / 2.0, pValue: 1) }
        return values.withUnsafeBufferPointer { values in
            counts.withUnsafeBufferPointer { counts in
                below.withUnsafeBufferPointer { below in
                    tiePrefix.withUnsafeBufferPointer { tiePrefix in
                        merge(a, nA: nA, nB: nB, nz: nz, nzA: nzA, values: values, counts: counts, below: below,
                              tiePrefix: tiePrefix)
                    }
                }
            }
        }
    }

    @inline(__always)
    private func merge(_ a: UnsafeBufferPointer<Float>, nA: Int, nB: Int, nz: Int, nzA: Int,
                       values: UnsafeBufferPointer<Float>, counts: UnsafeBufferPointer<Int>,
                       below: UnsafeBufferPointer<Int>, tiePrefix: UnsafeBufferPointer<Double>) -> MannWhitneyResult {
        var rankSumNonzero = 0.0
        var tieNonzero = 0.0
        var position = 0  // non-zeros (both groups) ranked so far
        var j = 0         // next reference run
        var i = 0
        let distinct = values.count
        while i < a.count {
            let v = a[i]
            var ca = 1
            while i + ca < a.count && a[i + ca] == v { ca += 1 }
            // Reference runs strictly below v are reference-only ties.
            let k = SortedReference.lowerBound(values, v, from: j)
            if k > j {
                tieNonzero += tiePrefix[k] - tiePrefix[j]
                position += below[k] - below[j]
                j = k
            }
            var cb = 0
            if j < distinct && values[j] == v { cb = counts[j]; j += 1 }
            let t = ca + cb
            let local = Double(position + position + t - 1) / 2.0 + 1.0
            rankSumNonzero += Double(ca) * (Double(nz) + local)
            let tt = Double(t)
            tieNonzero += tt * tt * tt - tt
            position += t
            i += ca
        }
        tieNonzero += tiePrefix[distinct] - tiePrefix[j]
        let zeros = Double(nz)
        let rankSum = Double(nzA) * ((zeros + 1.0) / 2.0) + rankSumNonzero
        let tieTerm = (zeros * zeros * zeros - zeros) + tieNonzero
        return MannWhitney.result(rankSum: rankSum, n1: nA, n2: nB, tieTerm: tieTerm)
    }

    /// First run index ≥ `start` whose value is ≥ `v` (galloping, then binary search).
    @inline(__always)
    private static func lowerBound(_ values: UnsafeBufferPointer<Float>, _ v: Float, from start: Int) -> Int {
        var lo = start, step = 1, hi = start
        while hi < values.count && values[hi] < v { lo = hi + 1; hi += step; step <<= 1 }
        hi = min(hi, values.count)
        while lo < hi {
            let mid = (lo + hi) >> 1
            if values[mid] < v { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }
}
