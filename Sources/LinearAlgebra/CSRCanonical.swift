extension CSRMatrix {
    /// Puts every row in canonical form: ascending column indices, duplicates summed, explicit zeros dropped.
    /// Rows already canonical are left untouched, so this is a single cheap pass for well-formed input.
    public mutating func canonicalizeRows() {
        // Scan read-only first: a mutating loop makes the optimizer check uniqueness up front, which copies the
        // arrays whenever they are shared, even if no row needs fixing.
        var entries: [(Int32, Float)] = []
        var next = firstUnsortedRow()
        while let r = next {
            let span = range(ofRow: r)
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
            next = firstUnsortedRow(from: r + 1)
        }
        dropExplicitZeros()
    }

    /// The first row at or after `start` whose column indices are not strictly ascending, or nil.
    public func firstUnsortedRow(from start: Int = 0) -> Int? {
        columnIndices.withUnsafeBufferPointer { indices in
            rowPointers.withUnsafeBufferPointer { pointers in
                for r in start..<rows {
                    let start = Int(pointers[r]), end = Int(pointers[r + 1])
                    guard end - start > 1 else { continue }
                    for k in (start + 1)..<end where indices[k] <= indices[k - 1] { return r }
                }
                return nil
            }
        }
    }
}
