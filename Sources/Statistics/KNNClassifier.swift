import LinearAlgebra
import Support

/// k-nearest-neighbour classification with uniform votes, as scikit-learn's `KNeighborsClassifier`: Euclidean
/// neighbours, the most frequent label wins, ties go to the label first in sorted order.
public enum KNNClassifier {
    /// The predicted label of each row of `queries` from the `k` nearest rows of `reference`.
    public static func predict(
        reference: Matrix<Double>, labels: [String], queries: Matrix<Double>, k: Int,
        threads: Int = defaultThreadCount()
    ) -> [String] {
        precondition(labels.count == reference.rows, "one label per reference row")
        let coded = ClassCodes(labels)
        let classes = coded.classes, codes = coded.codes
        let neighbours = NearestNeighbors.search(reference, queries: queries, k: k, threads: threads).indices
        return neighbours.map { list in
            var votes = [Int](repeating: 0, count: classes.count)
            for j in list { votes[codes[j]] += 1 }
            let best = votes.indices.max { a, b in votes[a] != votes[b] ? votes[a] < votes[b] : a > b }!
            return classes[best]
        }
    }
}
