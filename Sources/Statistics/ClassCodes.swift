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
}
