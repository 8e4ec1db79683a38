import Foundation

/// Exact Euclidean k-nearest neighbours by brute force: candidate distances from one BLAS product per block of
/// queries (‖a‖² + ‖b‖² − 2a·b), the k best re-measured directly so reported distances are exact sums of
/// squared differences (as scikit-learn's tree searches report them). Ties are ordered by reference index.
public enum NearestNeighbors {
    /// For each row of `queries`, the `k` nearest rows of `reference`: indices and distances, nearest first.
    /// With `excludeSelf`, queries are the reference rows themselves and each row's own index is skipped.
    public static func search(_ reference: Matrix<Double>, queries: Matrix<Double>, k: Int, excludeSelf: Bool = false,
                              threads: Int = defaultThreadCount()) -> (indices: [[Int]], distances: [[Double]]) {
        precondition(reference.columns == queries.columns, "same dimension")
        let n = reference.rows, d = reference.columns
        let wanted = min(k, n - (excludeSelf ? 1 : 0))
        guard wanted > 0 else { return (Array(repeating: [], count: queries.rows), Array(repeating: [], count: queries.rows)) }
        let referenceNorms = (0..<n).map { r in (0..<d).reduce(0.0) { $0 + reference.storage[r * d + $1] * reference.storage[r * d + $1] } }
        let block = 512
        let blocks = (queries.rows + block - 1) / block
        let results = parallelMap(blocks, threads: threads) { b -> [([Int], [Double])] in
            let start = b * block, end = min(queries.rows, start + block)
            let rows = end - start
            let chunk = Matrix(rows: rows, columns: d, storage: Array(queries.storage[(start * d)..<(end * d)]))
            let products = chunk.multiplied(by: reference, transposeOther: true)   // rows × n
            var out: [([Int], [Double])] = []
            out.reserveCapacity(rows)
            var candidates = [(Double, Int)](repeating: (0, 0), count: n)
            for i in 0..<rows {
                let q = start + i
                let qNorm = (0..<d).reduce(0.0) { $0 + chunk.storage[i * d + $1] * chunk.storage[i * d + $1] }
                var count = 0
                for j in 0..<n where !(excludeSelf && j == q) {
                    candidates[count] = (max(0, qNorm + referenceNorms[j] - 2 * products.storage[i * n + j]), j)
                    count += 1
                }
                // Keep a margin beyond k so rounding in the product cannot push a true neighbour out.
                let keep = min(count, wanted + 8)
                partialSort(&candidates, count: count, keep: keep)
                var exact = candidates[0..<keep].map { pair -> (Double, Int) in
                    var s = 0.0
                    for t in 0..<d { let diff = chunk.storage[i * d + t] - reference.storage[pair.1 * d + t]; s += diff * diff }
                    return (s.squareRoot(), pair.1)
                }
                exact.sort { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
                out.append((exact.prefix(wanted).map(\.1), exact.prefix(wanted).map(\.0)))
            }
            return out
        }
        let flat = results.flatMap { $0 }
        return (flat.map(\.0), flat.map(\.1))
    }

    /// Moves the `keep` smallest of `items[0..<count]` (by value, then index) to the front, sorted.
    static func partialSort(_ items: inout [(Double, Int)], count: Int, keep: Int) {
        func less(_ a: (Double, Int), _ b: (Double, Int)) -> Bool { a.0 != b.0 ? a.0 < b.0 : a.1 < b.1 }
        var low = 0, high = count - 1
        while low < high {
            let pivot = items[(low + high) / 2]
            var i = low, j = high
            while i <= j {
                while less(items[i], pivot) { i += 1 }
                while less(pivot, items[j]) { j -= 1 }
                if i <= j { items.swapAt(i, j); i += 1; j -= 1 }
            }
            if keep - 1 <= j { high = j } else if keep - 1 >= i { low = i } else { break }
        }
        items[0..<keep].sort(by: less)
    }
}
