/// Row and column reductions of a `CSRMatrix`, accumulated in `Double`; zeros are handled implicitly.
extension CSRMatrix {
    /// Sum of each row.
    public func rowSums() -> [Double] {
        (0..<rows).map { r in range(ofRow: r).reduce(0.0) { $0 + Double(values[$1]) } }
    }

    /// Number of stored (non-zero) entries in each row.
    public func rowNonZeroCounts() -> [Int] {
        (0..<rows).map { Int(rowPointers[$0 + 1] - rowPointers[$0]) }
    }

    /// Number of stored (non-zero) entries in each column.
    public func columnNonZeroCounts() -> [Int] {
        var counts = [Int](repeating: 0, count: columns)
        for c in columnIndices { counts[Int(c)] += 1 }
        return counts
    }

    /// Sum of each column over all rows, or over the rows in `subset`.
    public func columnSums(rows subset: [Int]? = nil) -> [Double] {
        var sums = [Double](repeating: 0, count: columns)
        let rowList = subset ?? Array(0..<rows)
        for r in rowList {
            for k in range(ofRow: r) { sums[Int(columnIndices[k])] += Double(values[k]) }
        }
        return sums
    }

    /// Mean of each column over all rows, or over the rows in `subset`.
    public func columnMeans(rows subset: [Int]? = nil) -> [Double] {
        let n = Double(Swift.max(subset?.count ?? rows, 1))
        return columnSums(rows: subset).map { $0 / n }
    }

    /// Mean and variance of each column (zeros included) over all rows or the rows in `subset`, with `ddof`
    /// delta degrees of freedom (NaN variance when there are no more rows than `ddof`).
    public func columnMeanAndVariance(rows subset: [Int]? = nil, ddof: Int = 1) -> (mean: [Double], variance: [Double]) {
        var sums = [Double](repeating: 0, count: columns)
        var squares = [Double](repeating: 0, count: columns)
        let accumulate = { (k: Int) in
            let c = Int(self.columnIndices[k]), v = Double(self.values[k])
            sums[c] += v
            squares[c] += v * v
        }
        if let subset {
            for r in subset { for k in range(ofRow: r) { accumulate(k) } }
        } else {
            for k in 0..<nonZeroCount { accumulate(k) }
        }
        let n = Double(subset?.count ?? rows)
        let mean = sums.map { $0 / Swift.max(n, 1) }
        let denominator = n - Double(ddof)
        let variance = (0..<columns).map { c -> Double in
            guard denominator > 0 else { return .nan }
            return Swift.max(0, (squares[c] - n * mean[c] * mean[c]) / denominator)
        }
        return (mean, variance)
    }

    /// Smallest and largest value, counting implicit zeros when a row is not full.
    public func valueRange() -> (min: Float, max: Float)? {
        guard rows > 0, columns > 0 else { return nil }
        var (low, high) = values.withUnsafeBufferPointer { VectorScan.minMax($0) } ?? (0, 0)
        if nonZeroCount < rows * columns { low = Swift.min(low, 0); high = Swift.max(high, 0) }
        return (low, high)
    }
}
