extension Sequence where Element: Hashable {
    /// The distinct elements in order of first appearance (pandas' `unique`).
    public var distinctInOrder: [Element] {
        var seen = Set<Element>()
        return filter { seen.insert($0).inserted }
    }

    /// The number of distinct elements.
    public var uniqueCount: Int { Set(self).count }
}
