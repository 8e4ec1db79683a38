/// Mann-Whitney U of many groups against one reference group for one gene, from a single sort of all the
/// gene's non-zero values: an LSD radix sort of the float bit patterns (non-negative floats order like their
/// bits) tagged with their group, then one pass over the runs of equal values. For each group the pass tracks
/// its own non-zeros and the reference's below the current run, which gives every group's rank sum and tie
/// term within (group ∪ reference) exactly — integers and halves, so the p-values are bit-identical to ranking
/// each merged sample (pdex). Zeros are one implicit tied block per test.
public final class GroupRankSums {
    /// Number of groups, the reference being the last.
    public let groups: Int
    private var capacity = 0
    private var keys: UnsafeMutablePointer<UInt32>
    private var tags: UnsafeMutablePointer<Int32>
    private var spareKeys: UnsafeMutablePointer<UInt32>
    private var spareTags: UnsafeMutablePointer<Int32>
    private let histogram = UnsafeMutablePointer<Int>.allocate(capacity: 2048)
    private let inRun: UnsafeMutablePointer<Int>
    private let below: UnsafeMutablePointer<Int>
    private let twiceRankSum: UnsafeMutablePointer<Int>
    private let tieDelta: UnsafeMutablePointer<Int>
    private let nonzeros: UnsafeMutablePointer<Int>
    private let touched: UnsafeMutablePointer<Int32>
    private var count = 0

    /// Scratch for `groups` groups (the reference included, as the last).
    public init(groups: Int) {
        self.groups = groups
        keys = .allocate(capacity: 1); tags = .allocate(capacity: 1)
        spareKeys = .allocate(capacity: 1); spareTags = .allocate(capacity: 1)
        inRun = .allocate(capacity: groups); below = .allocate(capacity: groups)
        twiceRankSum = .allocate(capacity: groups); tieDelta = .allocate(capacity: groups)
        nonzeros = .allocate(capacity: groups)
        touched = .allocate(capacity: groups)
    }

    deinit {
        keys.deallocate(); tags.deallocate(); spareKeys.deallocate(); spareTags.deallocate(); histogram.deallocate()
        inRun.deallocate(); below.deallocate(); twiceRankSum.deallocate(); tieDelta.deallocate(); nonzeros.deallocate()
        touched.deallocate()
    }

    /// Starts a gene with room for `n` non-zero values.
    public func reset(expecting n: Int) {
        if n > capacity {
            keys.deallocate(); tags.deallocate(); spareKeys.deallocate(); spareTags.deallocate()
            capacity = max(n, 2 * capacity)
            keys = .allocate(capacity: capacity); tags = .allocate(capacity: capacity)
            spareKeys = .allocate(capacity: capacity); spareTags = .allocate(capacity: capacity)
        }
        count = 0
    }

    /// Adds a non-zero, non-negative value of `group` (at most the `n` given to `reset`).
    @inline(__always)
    public func add(_ value: Float, group: Int32) {
        assert(count < capacity, "more values than reset(expecting:) allowed")
        keys[count] = value.bitPattern
        tags[count] = group
        count += 1
    }

    /// Tests every group against the reference; `sizes[g]` is the number of cells of group g (zeros included).
    /// Calls `report(g, result)` for each non-reference group.
    public func test(sizes: UnsafeBufferPointer<Int>, _ report: (Int, MannWhitneyResult) -> Void) {
        sort()
        let reference = groups - 1
        let keys = self.keys, tags = self.tags, count = self.count
        let inRun = self.inRun, below = self.below, twiceRankSum = self.twiceRankSum, tieDelta = self.tieDelta
        let nonzeros = self.nonzeros, touched = self.touched
        for g in 0..<groups { inRun[g] = 0; below[g] = 0; twiceRankSum[g] = 0; tieDelta[g] = 0; nonzeros[g] = 0 }
        for i in 0..<count { nonzeros[Int(tags[i])] += 1 }
        let referenceZeros = sizes[reference] - nonzeros[reference]
        var referenceBelow = 0, referenceTies = 0
        var i = 0
        while i < count {
            let key = keys[i]
            var cb = 0, touchedCount = 0
            var j = i
            while j < count && keys[j] == key {
                let g = Int(tags[j])
                if g == reference {
                    cb += 1
                } else {
                    if inRun[g] == 0 { touched[touchedCount] = Int32(g); touchedCount += 1 }
                    inRun[g] += 1
                }
                j += 1
            }
            for u in 0..<touchedCount {
                let g = Int(touched[u])
                let ca = inRun[g], t = ca + cb
                let zeros = (sizes[g] - nonzeros[g]) + referenceZeros
                let position = below[g] + referenceBelow
                twiceRankSum[g] += ca * (2 * zeros + 2 * position + t + 1)
                tieDelta[g] += (t * t * t - t) - (cb * cb * cb - cb)
                below[g] += ca
                inRun[g] = 0
            }
            referenceBelow += cb
            referenceTies += cb * cb * cb - cb
            i = j
        }
        for g in 0..<reference {
            let nA = sizes[g], nB = sizes[reference]
            let zeros = Double((nA - nonzeros[g]) + referenceZeros)
            if nonzeros[g] + nonzeros[reference] == 0 {
                report(g, MannWhitneyResult(statistic: Double(nA * nB) / 2.0, pValue: 1))
                continue
            }
            let rankSum = Double(nA - nonzeros[g]) * ((zeros + 1.0) / 2.0) + Double(twiceRankSum[g]) / 2.0
            let tie = (zeros * zeros * zeros - zeros) + Double(referenceTies + tieDelta[g])
            report(g, MannWhitney.result(rankSum: rankSum, n1: nA, n2: nB, tieTerm: tie))
        }
    }

    /// LSD radix sort of (key, tag) by key, 11 bits per pass, skipping passes where every key shares the digit.
    private func sort() {
        let n = count
        guard n > 1 else { return }
        for shift in [UInt32(0), 11, 22] {
            let mask: UInt32 = shift == 22 ? 0x3FF : 0x7FF
            let buckets = Int(mask) + 1
            for b in 0..<buckets { histogram[b] = 0 }
            for i in 0..<n { histogram[Int((keys[i] >> shift) & mask)] += 1 }
            if histogram[Int((keys[0] >> shift) & mask)] == n { continue }
            var total = 0
            for b in 0..<buckets { let c = histogram[b]; histogram[b] = total; total += c }
            for i in 0..<n {
                let b = Int((keys[i] >> shift) & mask)
                let at = histogram[b]
                spareKeys[at] = keys[i]; spareTags[at] = tags[i]
                histogram[b] = at + 1
            }
            swap(&keys, &spareKeys)
            swap(&tags, &spareTags)
        }
    }
}
