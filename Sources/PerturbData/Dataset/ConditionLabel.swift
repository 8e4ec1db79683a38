/// Parsing and canonical form of perturbation labels, including combinations written `A+B`.
///
/// Members are sorted lexicographically, so `B+A` ≡ `A+B`, and control members (`ctrl`, or the dataset's
/// control label) are dropped, so `A+ctrl` ≡ `A`. A label made only of controls is the control label.
public struct ConditionLabeling: Sendable, Equatable {
    /// The label of control cells (e.g. `non-targeting`).
    public let controlLabel: String
    /// Member names that mean "no perturbation" inside a combination.
    public let controlTokens: Set<String>
    /// The separator between combination members.
    public let separator: Character

    /// A labeling; `ctrl` and the control label always count as control members.
    public init(controlLabel: String, extraControlTokens: [String] = [], separator: Character = "+") {
        self.controlLabel = controlLabel
        self.controlTokens = Set(["ctrl", "control", controlLabel] + extraControlTokens)
        self.separator = separator
    }

    /// The perturbed members of `label`, in canonical (sorted, de-duplicated) order; empty for a control.
    public func members(of label: String) -> [String] {
        let parts = label.split(separator: separator, omittingEmptySubsequences: true)
            .map { $0.trimmingWhitespace() }
            .filter { !$0.isEmpty && !controlTokens.contains($0) }
        return Array(Set(parts)).sorted()
    }

    /// The canonical form of `label`.
    public func canonical(_ label: String) -> String {
        if label == controlLabel { return label }
        let parts = members(of: label)
        return parts.isEmpty ? controlLabel : parts.joined(separator: String(separator))
    }

    /// Whether `label` denotes control cells.
    public func isControl(_ label: String) -> Bool { canonical(label) == controlLabel }

    /// Whether `label` is a combination of two or more perturbations.
    public func isCombination(_ label: String) -> Bool { members(of: label).count > 1 }
}

extension Substring {
    func trimmingWhitespace() -> String {
        var s = self[...]
        while let f = s.first, f.isWhitespace { s = s.dropFirst() }
        while let l = s.last, l.isWhitespace { s = s.dropLast() }
        return String(s)
    }
}
