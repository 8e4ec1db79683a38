/// The name of one of a split's three parts, in order.
public enum SplitPartName: String, Sendable, CaseIterable {
    case train, val, test
}
