import LinearAlgebra

/// Class labels as scikit-learn's classifiers index them: the distinct labels sorted by Unicode code points
/// (`classes_`), and each sample's position in that list.
struct ClassCodes {
    /// Distinct labels in code-point order.
    let classes: [String]
    /// Index into `classes` of each input label.
    let codes: [Int]

    init(_ labels: [String]) {
        classes = Array(Set(labels)).sorted { $0.unicodeScalars.lexicographicallyPrecedes($1.unicodeScalars) }
        let index = Dictionary(uniqueKeysWithValues: classes.enumerated().map { ($1, $0) })
        codes = labels.map { index[$0]! }
    }

    /// For each row of `scores` (rows × classes), the class indices from the highest score down (ties by index).
    static func ranked(_ scores: Matrix<Double>) -> [[Int]] {
        let k = scores.columns
        return (0..<scores.rows).map { i in
            (0..<k).sorted { a, b in
                let (u, v) = (scores.storage[i * k + a], scores.storage[i * k + b])
                return u != v ? u > v : a < b
            }
        }
    }
}
