extension CSRMatrix {
    /// Puts every row in canonical form: ascending column indices, duplicates summed, explicit zeros dropped.
    /// Rows already canonical are left untouched, so this is a single cheap pass for well-formed input.
    public mutating func canonicalizeRows() {
        var entries: [(Int32, Float)] = []
        for r in 0..<rows {
            let span = range(ofRow: r)
            var sorted = true
            var previous: Int32 = -1
            for k in span {
                if columnIndices[k] <= previous { sorted = false; break }
                previous = columnIndices[k]
            }
            if sorted { continue }
            entries.removeAll(keepingCapacity: true)
            for k in span { entries.append((columnIndices[k], values[k])) }
            entries.sort { $0.0 < $1.0 }
            // Merge duplicates in place; the freed tail is set to zero and dropped below.
            var write = span.lowerBound
            for (i, entry) in entries.enumerated() {
                if i > 0, entry.0 == columnIndices[write - 1] {
                    values[write - 1] += entry.1
                } else {
                    columnIndices[write] = entry.0
                    values[write] = entry.1
                    write += 1
                }
            }
            for k in write..<span.upperBound { values[k] = 0; columnIndices[k] = columnIndices[write - 1] }
        }
        dropExplicitZeros()
    }
}
