/// Parsing and canonical form of perturbation labels, including combinations written `A+B`.
///
/// Members are sorted lexicographically, so `B+A` ≡ `A+B`, and control members (`ctrl`, or the dataset's
/// control label) are dropped, so `A+ctrl` ≡ `A`. A label made only of controls is the control label. Members are
/// separated by `+`, or also by a dataset's own separator (`--combo-sep ';'` for high-MOI guide lists such as
/// `A;B;non-targeting`); canonical labels always join them with `+`. A blank label (empty or only whitespace: no
/// guide detected, no perturbation assigned) is neither a control nor a perturbation: its canonical form is the
/// empty string, which `perturb prep` drops with a note and every other reader refuses.
public struct ConditionLabeling: Sendable, Equatable {
    /// The label of control cells (e.g. `non-targeting`).
    public let controlLabel: String
    /// Member names that mean "no perturbation" inside a combination.
    public let controlTokens: Set<String>
    /// The characters that separate combination members: `+` and the dataset's own separator, if any.
    public let separators: Set<Character>

    /// The separator of canonical labels.
    public static let joiner: Character = "+"
    /// The canonical form of a blank label.
    public static let blank = ""

    /// A labeling; `ctrl` and the control label always count as control members; `comboSeparator` separates
    /// members besides `+`.
    public init(controlLabel: String, extraControlTokens: [String] = [], comboSeparator: Character? = nil) {
        self.controlLabel = controlLabel
        self.controlTokens = Set(["ctrl", "control", controlLabel] + extraControlTokens)
        self.separators = Set([Self.joiner] + (comboSeparator.map { [$0] } ?? []))
    }

    /// Whether `label` is blank: empty or whitespace only.
    public static func isBlank(_ label: String) -> Bool { label.allSatisfy(\.isWhitespace) }

    /// The perturbed members of `label`, in canonical (sorted, de-duplicated) order; empty for a control.
    public func members(of label: String) -> [String] {
        let parts = label.split(omittingEmptySubsequences: true, whereSeparator: { separators.contains($0) })
            .map { $0.trimmingWhitespace() }
            .filter { !$0.isEmpty && !controlTokens.contains($0) }
        return Array(Set(parts)).sorted()
    }

    /// The canonical form of `label` (`blank` for a blank one).
    public func canonical(_ label: String) -> String {
        if label == controlLabel { return label }
        if Self.isBlank(label) { return Self.blank }
        let parts = members(of: label)
        return parts.isEmpty ? controlLabel : parts.joined(separator: String(Self.joiner))
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
