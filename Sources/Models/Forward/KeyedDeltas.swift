import LinearAlgebra

/// Averages of delta profiles by text key (a context, or a perturbation in a context), saved as a key list
/// plus a matrix. Mean baselines are lookups in such a table.
struct KeyedDeltas: Sendable {
    private(set) var rows: [String: [Double]] = [:]
    private var weights: [String: Double] = [:]
    let geneCount: Int

    init(geneCount: Int) { self.geneCount = geneCount }

    /// Adds `delta` with `weight` to the running mean of `key`.
    mutating func add(_ key: String, _ delta: ArraySlice<Double>, weight: Double = 1) {
        var row = rows[key] ?? [Double](repeating: 0, count: geneCount)
        for (j, v) in zip(row.indices, delta) { row[j] += weight * v }
        rows[key] = row
        weights[key, default: 0] += weight
    }

    /// The means (call once, after every `add`).
    func averaged() -> KeyedDeltas {
        var out = KeyedDeltas(geneCount: geneCount)
        for (key, row) in rows { out.rows[key] = row.map { $0 / weights[key]! } }
        return out
    }

    subscript(key: String) -> [Double]? { rows[key] }

    /// Saves the table as `<name>_keys` and `<name>`.
    func save(_ name: String, into state: inout ModelState) {
        let keys = rows.keys.sorted()
        state.lists[name + "_keys"] = keys
        state.set(name, matrix: Matrix(rows: keys.count, columns: geneCount, storage: keys.flatMap { rows[$0]! }))
    }

    /// Loads a table saved by `save`.
    init(loading name: String, from state: ModelState, model: String) throws {
        let keys = try state.list(name + "_keys", model: model)
        let m = try state.matrix(name, model: model)
        guard m.rows == keys.count else {
            throw ModelError.invalidModelDirectory(path: "model \(model)", field: name, reason: "\(m.rows) rows for \(keys.count) keys")
        }
        geneCount = m.columns
        for (i, key) in keys.enumerated() { rows[key] = m.row(i) }
    }
}

extension Matrix where Scalar == Double {
    /// Row `r` as a slice of the storage, without copying.
    func rowSlice(_ r: Int) -> ArraySlice<Double> { storage[(r * columns)..<((r + 1) * columns)] }
}
