/// Whole-array scans over `Float` values for the passes that run over every stored entry of a large matrix
/// (range, zero and fraction checks). Each is written as branch-free work over blocks, with an early exit
/// between blocks, so LLVM can pipeline or vectorize it (plain `min`/`max` calls and `truncf` cannot be).
public enum VectorScan {
    private static let block = 4096

    /// Smallest and largest value of a non-empty buffer.
    public static func minMax(_ values: UnsafeBufferPointer<Float>) -> (min: Float, max: Float)? {
        guard !values.isEmpty else { return nil }
        // Eight independent accumulators break the compare-select dependency chain.
        var low = [Float](repeating: .infinity, count: 8), high = [Float](repeating: -.infinity, count: 8)
        let whole = values.count / 8 * 8
        low.withUnsafeMutableBufferPointer { lo in
            high.withUnsafeMutableBufferPointer { hi in
                var i = 0
                while i < whole {
                    for lane in 0..<8 {
                        let v = values[i + lane]
                        lo[lane] = v < lo[lane] ? v : lo[lane]
                        hi[lane] = v > hi[lane] ? v : hi[lane]
                    }
                    i += 8
                }
            }
        }
        var lo = low.min()!, hi = high.max()!
        for v in values[whole...] {
            lo = v < lo ? v : lo
            hi = v > hi ? v : hi
        }
        return (lo, hi)
    }

    /// Whether any value is exactly zero.
    public static func containsZero(_ values: UnsafeBufferPointer<Float>) -> Bool {
        anyInBlocks(values) { $0 == 0 ? 1 : 0 }
    }

    /// Whether any value has a fractional part (magnitude minus its floor, as numpy's `modf`) above `epsilon`.
    public static func containsFraction(_ values: UnsafeBufferPointer<Float>, epsilon: Float) -> Bool {
        anyInBlocks(values) { v in
            let m = v.magnitude
            // Below 2^23, adding and subtracting 2^23 rounds to the nearest integer exactly; step down to the
            // floor when that rounded up. From 2^23 on every float is a whole number.
            let nearest = (m + 8_388_608) - 8_388_608
            let floor = nearest > m ? nearest - 1 : nearest
            let fraction = m < 8_388_608 ? m - floor : 0  // selects, not branches, so the loop vectorizes
            return fraction > epsilon ? 1 : 0
        }
    }

    @inline(__always)
    private static func anyInBlocks(_ values: UnsafeBufferPointer<Float>, _ test: (Float) -> UInt8) -> Bool {
        var start = 0
        while start < values.count {
            let end = Swift.min(start + block, values.count)
            var flag: UInt8 = 0
            for i in start..<end { flag |= test(values[i]) }
            if flag != 0 { return true }
            start = end
        }
        return false
    }
}
