import Foundation

/// The outcome of checking a split against a data file: failures (leaks, inconsistencies) and notes.
public struct SplitCheckReport: Sendable {
    /// Reasons the split is unsafe or does not fit the data; empty when it passes.
    public var problems: [String] = []
    /// Observations that are not failures (cells in no part, a missing hash, …).
    public var notes: [String] = []
    /// Cells, control cells and conditions per part.
    public var partSizes: [String: (cells: Int, controls: Int, conditions: Int)] = [:]

    /// Whether every check passed.
    public var passed: Bool { problems.isEmpty }
}

extension Split {
    /// Which part (index into `Split.partNames`) each cell belongs to, nil for cells in no part. A cell claimed
    /// by two parts is reported by `check`; here the first part wins.
    public func membership(of cells: SplitCells) throws -> [Int?] {
        let keys = try cells.unitKeys(unitColumns)
        let index = PartIndex(self)
        return (0..<cells.count).map { index.parts(claiming: $0, cells: cells, keys: keys).first }
    }

    /// Each part's conditions and control ids as sets, for asking which parts claim a cell.
    struct PartIndex {
        let conditionSets: [Set<String>]
        let controlSets: [Set<String>]

        init(_ split: Split) {
            conditionSets = Split.partNames.map { Set(split.part($0).conditions) }
            controlSets = Split.partNames.map { Set(split.part($0).controlCells) }
        }

        /// The parts (indices into `Split.partNames`) that claim cell `i`, by its unit key or, for a control, its id.
        func parts(claiming i: Int, cells: SplitCells, keys: [String]) -> [Int] {
            Split.partNames.indices.filter { p in
                conditionSets[p].contains(keys[i]) || (cells.isControl(i) && controlSets[p].contains(cells.ids[i]))
            }
        }
    }

    /// `check(against:)`, with a failed check an error naming the split as `name` and listing the problems.
    public func checked(against cells: SplitCells, name: String) throws -> SplitCheckReport {
        let report = try check(against: cells)
        guard report.passed else { throw SplitError.leakage(path: name, problems: report.problems) }
        return report
    }

    /// Checks for leakage and consistency with `cells`: no cell or condition in two parts, no test or validation
    /// perturbation seen in training (unless the strategy transfers covariates), every listed condition and
    /// control present, control cells in every part and context, combination tiers consistent with the training
    /// singles, nested training subsets, and an intact content hash.
    public func check(against cells: SplitCells) throws -> SplitCheckReport {
        var report = SplitCheckReport()
        func problem(_ s: String) { report.problems.append(s) }
        if format != Split.formatTag { problem("format is '\(format)', expected '\(Split.formatTag)'") }
        if let contentHash {
            if try computedHash() != contentHash {
                problem("content_hash does not match the content: the file was edited after it was made")
            }
        } else {
            report.notes.append("no content_hash (a hand-made split?)")
        }
        for name in parts.keys where !Split.partNames.contains(name) { problem("unknown part '\(name)' (expected train, val, test)") }
        if cellCount != cells.count {
            // Not a failure by itself: QC filtering after the split removes cells. Missing conditions or control ids
            // (another file) are problems below.
            report.notes.append("the split was made from \(cellCount) cells; this file has \(cells.count)")
        }
        let keys = try cells.unitKeys(unitColumns)
        let keySet = Set(keys)
        let idSet = Set(cells.ids)

        // Conditions and control ids listed in two parts, or absent from the data.
        for (a, b) in [("train", "val"), ("train", "test"), ("val", "test")] {
            let shared = Set(part(a).conditions).intersection(part(b).conditions).sorted()
            if !shared.isEmpty { problem("\(shared.count) condition(s) in both \(a) and \(b): \(list(shared))") }
            let sharedControls = Set(part(a).controlCells).intersection(part(b).controlCells).sorted()
            if !sharedControls.isEmpty { problem("\(sharedControls.count) control cell(s) in both \(a) and \(b): \(list(sharedControls))") }
        }
        for name in Split.partNames {
            let absent = part(name).conditions.filter { !keySet.contains($0) }
            if !absent.isEmpty { problem("\(name) lists \(absent.count) condition(s) with no cells in the data: \(list(absent))") }
            let unknown = part(name).controlCells.filter { !idSet.contains($0) }
            if !unknown.isEmpty { problem("\(name) lists \(unknown.count) control cell id(s) not in the data: \(list(unknown))") }
        }

        // Cells claimed by more than one part.
        let index = PartIndex(self)
        var overlaps: [String: [String]] = [:]
        var unassigned = 0
        var sizes = [(cells: Int, controls: Int, conditions: Int)](repeating: (0, 0, 0), count: 3)
        var controlContexts = [Set<String>](repeating: [], count: 3), cellContexts = controlContexts
        let context = try cells.columns.cellType.map { try cells.values(of: $0) }
        for i in 0..<cells.count {
            let member = index.parts(claiming: i, cells: cells, keys: keys)
            if member.isEmpty { unassigned += 1; continue }
            if member.count > 1 {
                overlaps[member.map { Split.partNames[$0] }.joined(separator: " and "), default: []].append(cells.ids[i])
            }
            for p in member {
                sizes[p].cells += 1
                let where_ = context?[i] ?? ""
                if cells.isControl(i) { sizes[p].controls += 1; controlContexts[p].insert(where_) } else { cellContexts[p].insert(where_) }
            }
        }
        for (pair, ids) in overlaps.sorted(by: { $0.key < $1.key }) {
            problem("\(ids.count) cell(s) are in both \(pair) (a cell may belong to one part only): \(list(ids))")
        }
        for (p, name) in Split.partNames.enumerated() {
            sizes[p].conditions = part(name).conditions.count
            report.partSizes[name] = sizes[p]
            guard sizes[p].cells > 0 else { continue }
            if sizes[p].controls == 0 { problem("\(name) has no control cells"); continue }
            let missing = cellContexts[p].subtracting(controlContexts[p]).sorted()
            if !missing.isEmpty { problem("\(name) has no control cells for cell type(s) \(list(missing))") }
        }
        if unassigned > 0 { report.notes.append("\(unassigned) cell(s) belong to no part (e.g. removed labels)") }

        // Perturbations held out must not be trained on (except when the strategy transfers covariates).
        if let pIndex = unitColumns.firstIndex(of: columns.perturbation), strategy != "covariate-transfer" {
            let perturbationOf = { (key: String) in key.components(separatedBy: " | ")[pIndex] }
            let trained = Set(part("train").conditions.map(perturbationOf))
            for name in ["val", "test"] {
                let seen = Set(part(name).conditions.map(perturbationOf)).intersection(trained).sorted()
                if !seen.isEmpty { problem("\(seen.count) \(name) perturbation(s) also in train: \(list(seen))") }
            }
        }
        if strategy == "batch" {
            // Held-out batches should repeat the training perturbations; say which do not.
            var byPart = [Set<String>](repeating: [], count: 3)
            for i in 0..<cells.count {
                if let p = (0..<3).first(where: { index.conditionSets[$0].contains(keys[i]) }) { byPart[p].insert(cells.labels[i]) }
            }
            for (p, name) in [(1, "val"), (2, "test")] {
                let unseen = byPart[p].subtracting(byPart[0]).sorted()
                if !unseen.isEmpty {
                    report.notes.append("\(unseen.count) \(name) perturbation(s) never occur in the training batches: \(list(unseen))")
                }
            }
        }
        checkTiers(cells: cells, problem: problem)
        checkSubsets(problem: problem)
        return report
    }

    private func checkTiers(cells: SplitCells, problem: (String) -> Void) {
        guard let tiers else { return }
        let labeling = cells.labeling
        let singles = Set(part("train").conditions.filter { labeling.members(of: $0).count == 1 })
        let tierOf = ComboTiers(trainingSingles: singles, labeling: labeling)
        for (partName, byTier) in tiers.sorted(by: { $0.key < $1.key }) {
            let listed = Set(part(partName).conditions)
            for (tier, conditions) in byTier.sorted(by: { $0.key < $1.key }) {
                let outside = conditions.filter { !listed.contains($0) }
                if !outside.isEmpty { problem("tier \(partName)/\(tier) lists condition(s) not in \(partName): \(list(outside))") }
                if tier == "single" { continue }
                let wrong = conditions.filter { tierOf.tier($0) != tier }
                if !wrong.isEmpty {
                    problem(
                        "tier \(partName)/\(tier) is inconsistent with the training singles: "
                            + list(wrong.map { "\($0) is \(tierOf.tier($0))" }))
                }
                if (tier == "seen0" || tier == "seen1") && partName != "test" {
                    problem("\(tier) combinations must be in test only, but \(partName) has \(list(conditions))")
                }
            }
        }
        for name in ["train", "val"] {
            let unseen = part(name).conditions.filter { labeling.members(of: $0).count > 1 && tierOf.tier($0) != "seen2" }
            if !unseen.isEmpty { problem("\(name) holds combinations whose members are not all training singles: \(list(unseen))") }
        }
    }

    private func checkSubsets(problem: (String) -> Void) {
        guard let trainSubsets else { return }
        let train = Set(part("train").conditions)
        let ordered = trainSubsets.sorted { (Double($0.key) ?? 0) < (Double($1.key) ?? 0) }
        for (i, (fraction, conditions)) in ordered.enumerated() {
            let outside = conditions.filter { !train.contains($0) }
            if !outside.isEmpty { problem("training subset \(fraction) has conditions outside train: \(list(outside))") }
            if i > 0, !Set(ordered[i - 1].value).isSubset(of: conditions) {
                problem("training subsets are not nested: \(ordered[i - 1].key) is not inside \(fraction)")
            }
        }
    }
}

/// The first few items of a list, for messages.
private func list(_ items: [String], limit: Int = 5) -> String {
    items.prefix(limit).joined(separator: ", ") + (items.count > limit ? ", … (\(items.count) in all)" : "")
}
