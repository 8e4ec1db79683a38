import Foundation
import Support

/// Exact Euclidean k-nearest neighbours by brute force: candidate distances from one BLAS product per block of
/// queries (‖a‖² + ‖b‖² − 2a·b), the k best re-measured directly so reported distances are exact sums of
/// squared differences (as scikit-learn's tree searches report them). Ties are ordered by reference index.
public enum NearestNeighbors {
    /// For each row of `queries`, the `k` nearest rows of `reference`: indices and distances, nearest first.
    /// With `excludeSelf`, queries are the reference rows themselves and each row's own index is skipped.
    public static func search(
        _ reference: Matrix<Double>, queries: Matrix<Double>, k: Int, excludeSelf: Bool = false,
        threads: Int = defaultThreadCount()
    ) -> (indices: [[Int]], distances: [[Double]]) {
        precondition(reference.columns == queries.columns, "same dimension")
        let n = reference.rows, d = reference.columns
        let wanted = min(k, n - (excludeSelf ? 1 : 0))
        guard wanted > 0 else { return (Array(repeating: [], count: queries.rows), Array(repeating: [], count: queries.rows)) }
        let referenceNorms = (0..<n).map { r in (0..<d).reduce(0.0) { $0 + reference.storage[r * d + $1] * reference.storage[r * d + $1] } }
        let block = 256
        let blocks = (queries.rows + block - 1) / block
        let workers = max(1, min(threads, blocks))
        // Each worker takes every workers-th block and reuses one product buffer (no page faults per block).
        let work: @Sendable (Int) -> [(Int, [([Int], [Double])])] = { w in
            var products = [Double](repeating: 0, count: block * n)
            let keep = min(n - (excludeSelf ? 1 : 0), wanted + 8)  // a margin against rounding in the product
            var heap = BoundedMaxHeap(capacity: keep)
            var done: [(Int, [([Int], [Double])])] = []
            for b in stride(from: w, to: blocks, by: workers) {
                let start = b * block, rows = min(queries.rows, start + block) - start
                queries.storage.withUnsafeBufferPointer { qp in
                    reference.storage.withUnsafeBufferPointer { rp in
                        products.withUnsafeMutableBufferPointer { pp in
                            Double.gemm(
                                transposeA: false, transposeB: true, m: rows, n: n, k: d, alpha: 1,
                                a: qp.baseAddress! + start * d, lda: d, b: rp.baseAddress!, ldb: d,
                                beta: 0, c: pp.baseAddress!, ldc: n)
                        }
                    }
                }
                var out: [([Int], [Double])] = []
                out.reserveCapacity(rows)
                for i in 0..<rows {
                    let q = start + i
                    let qNorm = (0..<d).reduce(0.0) { $0 + queries.storage[q * d + $1] * queries.storage[q * d + $1] }
                    heap.removeAll()
                    products.withUnsafeBufferPointer { p in
                        referenceNorms.withUnsafeBufferPointer { norms in
                            let row = p.baseAddress! + i * n
                            for j in 0..<n where !(excludeSelf && j == q) {
                                heap.offer(max(0, qNorm + norms[j] - 2 * row[j]), j)
                            }
                        }
                    }
                    var exact = heap.items.map { pair -> (Double, Int) in
                        var s = 0.0
                        for t in 0..<d { let diff = queries.storage[q * d + t] - reference.storage[pair.1 * d + t]; s += diff * diff }
                        return (s.squareRoot(), pair.1)
                    }
                    exact.sort { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
                    out.append((exact.prefix(wanted).map(\.1), exact.prefix(wanted).map(\.0)))
                }
                done.append((b, out))
            }
            return done
        }
        // Several workers: BLAS runs single-threaded inside each; one worker keeps BLAS's own threads.
        let perWorker = workers > 1 ? BLASThreads.singleThreaded { parallelMap(workers, threads: workers, work) } : [work(0)]
        let results = perWorker.flatMap { $0 }.sorted { $0.0 < $1.0 }.map(\.1)
        let flat = results.flatMap { $0 }
        return (flat.map(\.0), flat.map(\.1))
    }
}

/// The `capacity` smallest (value, index) pairs offered so far, as a max-heap on (value, index): most offers are
/// rejected by one comparison with the current largest.
struct BoundedMaxHeap {
    let capacity: Int
    private(set) var items: [(Double, Int)] = []

    init(capacity: Int) {
        self.capacity = capacity
        items.reserveCapacity(capacity)
    }

    mutating func removeAll() { items.removeAll(keepingCapacity: true) }

    private static func greater(_ a: (Double, Int), _ b: (Double, Int)) -> Bool { a.0 != b.0 ? a.0 > b.0 : a.1 > b.1 }

    @inline(__always)
    mutating func offer(_ value: Double, _ index: Int) {
        if items.count < capacity {
            items.append((value, index))
            var c = items.count - 1
            while c > 0 {
                let parent = (c - 1) / 2
                guard BoundedMaxHeap.greater(items[c], items[parent]) else { break }
                items.swapAt(c, parent)
                c = parent
            }
            return
        }
        guard capacity > 0, BoundedMaxHeap.greater(items[0], (value, index)) else { return }
        items[0] = (value, index)
        var c = 0
        while true {
            let l = 2 * c + 1, r = l + 1
            var largest = c
            if l < capacity && BoundedMaxHeap.greater(items[l], items[largest]) { largest = l }
            if r < capacity && BoundedMaxHeap.greater(items[r], items[largest]) { largest = r }
            if largest == c { break }
            items.swapAt(c, largest)
            c = largest
        }
    }
}
