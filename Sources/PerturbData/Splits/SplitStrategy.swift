import Foundation
import Support

/// How to divide conditions (or batches) into train, validation and test (docs/DESIGN.md §7).
public enum SplitStrategy: Sendable, Equatable {
    /// Perturbations (not cells) to train/val/test by fraction; control cells divided by the same fractions.
    case unseenPerturbation(val: Double, test: Double)
    /// Norman-style: a fraction of singles held out (val and test in proportion); combinations tiered
    /// seen0/seen1/seen2 by how many of their members are training singles; seen0/seen1 go to test, seen2
    /// combinations are divided by `val`/`test`.
    case combo(unseenSingles: Double, val: Double, test: Double)
    /// Hold out covariate values (cell types, lines, donors) of `column`: of their perturbations a fraction
    /// `moveToTrain` goes to training, the rest to val/test in proportion; other values train entirely.
    case covariateTransfer(
        column: String, holdout: [String]?, holdoutCount: Int, moveToTrain: Double,
        val: Double, test: Double)
    /// Hold out whole batches of `column` (all their cells, controls included).
    case batch(column: String, test: [String]?, testCount: Int, val: [String]?, valCount: Int)
    /// An unseen-perturbation split plus nested training subsets at `fractions`, sharing val and test.
    case dataScaling(fractions: [Double], val: Double, test: Double)

    /// The keys of a data-scaling split's nested training subsets (`Split.trainSubsets`), smallest first; nil for
    /// the other strategies.
    public var trainingSubsetKeys: [String]? {
        guard case .dataScaling(let fractions, _, _) = self else { return nil }
        return Array(Set(fractions)).sorted().map { String($0) }
    }

    /// The strategy's name in split files and on the command line.
    public var name: String {
        switch self {
        case .unseenPerturbation: return "unseen-perturbation"
        case .combo: return "combo"
        case .covariateTransfer: return "covariate-transfer"
        case .batch: return "batch"
        case .dataScaling: return "data-scaling"
        }
    }
}

extension Split {
    /// Makes a split of `cells` with `strategy`; every random choice draws from `seed`.
    public static func make(_ cells: SplitCells, strategy: SplitStrategy, seed: UInt64) throws -> Split {
        try SplitMaker(cells: cells, seed: seed).make(strategy)
    }

    /// Makes a split as `make`, hashes it and checks it against `cells`; a split that fails its own check is an
    /// error naming `name` (what `perturb split` and the benchmark runner both do before writing one).
    public static func makeChecked(_ cells: SplitCells, strategy: SplitStrategy, seed: UInt64, name: String) throws
        -> (split: Split, report: SplitCheckReport)
    {
        let split = try make(cells, strategy: strategy, seed: seed).hashed()
        return (split, try split.checked(against: cells, name: name))
    }
}

/// The implementation of each strategy.
struct SplitMaker {
    let cells: SplitCells
    let seed: UInt64

    init(cells: SplitCells, seed: UInt64) {
        self.cells = cells
        self.seed = seed
    }

    func make(_ strategy: SplitStrategy) throws -> Split {
        switch strategy {
        case .unseenPerturbation(let val, let test):
            return try unseenPerturbation(val: val, test: test, name: strategy.name, extra: [:])
        case .combo(let unseen, let val, let test): return try combo(unseenSingles: unseen, val: val, test: test)
        case .covariateTransfer(let column, let holdout, let count, let move, let val, let test):
            return try covariateTransfer(column: column, holdout: holdout, holdoutCount: count, move: move, val: val, test: test)
        case .batch(let column, let test, let testCount, let val, let valCount):
            return try batch(column: column, test: test, testCount: testCount, val: val, valCount: valCount)
        case .dataScaling(let fractions, let val, let test):
            return try dataScaling(fractions: fractions, val: val, test: test)
        }
    }

    // MARK: strategies

    func unseenPerturbation(val: Double, test: Double, name: String, extra: [String: String]) throws -> Split {
        try checkFractions(val: val, test: test)
        let units = perturbationLabels()
        let (trainUnits, valUnits, testUnits) = try divide(units, val: val, test: test, stream: 1, strategy: name)
        let controls = divideControls(context: contextOfControls(), val: val, test: test, stream: 2)
        var parameters = ["val": format(val), "test": format(test)]
        parameters.merge(extra) { $1 }
        return split(
            name, parameters: parameters, unit: [cells.columns.perturbation],
            parts: [trainUnits, valUnits, testUnits], controls: controls)
    }

    func combo(unseenSingles: Double, val: Double, test: Double) throws -> Split {
        try checkFractions(val: val, test: test)
        guard (0..<1).contains(unseenSingles) else {
            throw SplitError.invalidParameter(name: "unseen-singles", value: format(unseenSingles), expected: "a fraction in [0, 1)")
        }
        let labels = perturbationLabels()
        let singles = labels.filter { cells.labeling.members(of: $0).count == 1 }
        let combinations = labels.filter { cells.labeling.members(of: $0).count > 1 }
        guard !combinations.isEmpty else { throw SplitError.tooFewUnits(strategy: "combo", have: 0, need: "combinations (labels A+B)") }
        let heldOutCount = count(singles.count, fraction: unseenSingles)
        var rng = SeededRandom(seed: seed, stream: 1)
        var shuffled = singles
        rng.shuffle(&shuffled)
        let heldOut = Array(shuffled.prefix(heldOutCount))
        let heldOutVal = val + test > 0 ? Int((Double(heldOut.count) * val / (val + test)).rounded()) : 0
        let valSingles = Array(heldOut.prefix(heldOutVal)), testSingles = Array(heldOut.dropFirst(heldOutVal))
        let trainSingles = Array(shuffled.dropFirst(heldOutCount))
        let tierOf = ComboTiers(trainingSingles: Set(trainSingles), labeling: cells.labeling)
        let seen2 = combinations.filter { tierOf.tier($0) == "seen2" }
        let unseen = combinations.filter { tierOf.tier($0) != "seen2" }
        let (train2, val2, test2) = try divide(
            seen2, val: val, test: test, stream: 3, strategy: "combo (seen2 combinations)",
            requireTrain: false)
        let controls = divideControls(context: contextOfControls(), val: val, test: test, stream: 2)
        let tiers: [String: [String: [String]]] = [
            "train": ["single": trainSingles.sorted(), "seen2": train2.sorted()],
            "val": ["single": valSingles.sorted(), "seen2": val2.sorted()],
            "test": [
                "single": testSingles.sorted(), "seen2": test2.sorted(),
                "seen1": unseen.filter { tierOf.tier($0) == "seen1" }.sorted(),
                "seen0": unseen.filter { tierOf.tier($0) == "seen0" }.sorted(),
            ],
        ]
        return split(
            "combo", parameters: ["unseen_singles": format(unseenSingles), "val": format(val), "test": format(test)],
            unit: [cells.columns.perturbation],
            parts: [trainSingles + train2, valSingles + val2, testSingles + test2 + unseen],
            controls: controls, tiers: tiers)
    }

    func covariateTransfer(
        column: String, holdout: [String]?, holdoutCount: Int, move: Double, val: Double,
        test: Double
    ) throws -> Split {
        try checkFractions(val: val, test: test)
        guard (0...1).contains(move) else {
            throw SplitError.invalidParameter(name: "move-to-train", value: format(move), expected: "a fraction in [0, 1]")
        }
        let covariate = try cells.values(of: column)
        let levels = Array(Set(covariate)).sorted()
        guard levels.count >= 2 else {
            throw SplitError.tooFewUnits(strategy: "covariate-transfer", have: levels.count, need: "≥ 2 values of '\(column)'")
        }
        let held = try chooseLevels(
            levels, given: holdout, count: holdoutCount, option: "holdout", stream: 1,
            keepOne: true)
        var trainUnits: [String] = [], valUnits: [String] = [], testUnits: [String] = []
        var conditionsByLevel: [String: Set<String>] = [:]
        for i in 0..<cells.count where !cells.isControl(i) { conditionsByLevel[covariate[i], default: []].insert(cells.labels[i]) }
        for (index, level) in levels.enumerated() {
            let labels = (conditionsByLevel[level] ?? []).sorted().map { "\($0) | \(level)" }
            guard held.contains(level) else { trainUnits += labels; continue }
            var rng = SeededRandom(seed: seed, stream: 10 + UInt64(index))
            var shuffled = labels
            rng.shuffle(&shuffled)
            let moved = count(shuffled.count, fraction: move, atLeastOne: false)
            trainUnits += shuffled.prefix(moved)
            let rest = Array(shuffled.dropFirst(moved))
            let nVal = val + test > 0 ? Int((Double(rest.count) * val / (val + test)).rounded()) : 0
            valUnits += rest.prefix(nVal)
            testUnits += rest.dropFirst(nVal)
        }
        guard !testUnits.isEmpty else {
            throw SplitError.tooFewUnits(strategy: "covariate-transfer", have: 0, need: "test conditions: lower --move-to-train")
        }
        var controls = divideControls(context: { covariate[$0] }, val: val, test: test, stream: 2)
        // Controls of covariate values that are not held out serve training only.
        let heldSet = Set(held)
        let idToLevel = Dictionary(uniqueKeysWithValues: (0..<cells.count).map { (cells.ids[$0], covariate[$0]) })
        for part in 1...2 {
            let moving = controls[part].filter { !heldSet.contains(idToLevel[$0]!) }
            controls[0] += moving
            controls[part].removeAll { !heldSet.contains(idToLevel[$0]!) }
        }
        return split(
            "covariate-transfer",
            parameters: [
                "column": column, "holdout": held.joined(separator: ","), "move_to_train": format(move),
                "val": format(val), "test": format(test),
            ],
            unit: [cells.columns.perturbation, column], parts: [trainUnits, valUnits, testUnits], controls: controls)
    }

    func batch(column: String, test: [String]?, testCount: Int, val: [String]?, valCount: Int) throws -> Split {
        let batches = try cells.values(of: column)
        let levels = Array(Set(batches)).sorted()
        let testLevels = try chooseLevels(levels, given: test, count: testCount, option: "test-batches", stream: 1, keepOne: true)
        let remaining = levels.filter { !testLevels.contains($0) }
        let valLevels = try chooseLevels(remaining, given: val, count: valCount, option: "val-batches", stream: 2, keepOne: true)
        let trainLevels = remaining.filter { !valLevels.contains($0) }
        return split(
            "batch",
            parameters: [
                "column": column, "test_batches": testLevels.joined(separator: ","),
                "val_batches": valLevels.joined(separator: ","),
            ],
            unit: [column], parts: [trainLevels, valLevels, testLevels], controls: [[], [], []])
    }

    func dataScaling(fractions: [Double], val: Double, test: Double) throws -> Split {
        guard !fractions.isEmpty, fractions.allSatisfy({ $0 > 0 && $0 <= 1 }) else {
            throw SplitError.invalidParameter(
                name: "fractions", value: fractions.map(format).joined(separator: ","),
                expected: "fractions in (0, 1]")
        }
        let sortedFractions = Array(Set(fractions)).sorted()
        var base = try unseenPerturbation(
            val: val, test: test, name: "data-scaling",
            extra: ["fractions": sortedFractions.map(format).joined(separator: ",")])
        var order = base.part("train").conditions
        var rng = SeededRandom(seed: seed, stream: 5)
        rng.shuffle(&order)
        var subsets: [String: [String]] = [:]
        for f in sortedFractions { subsets[format(f)] = order.prefix(count(order.count, fraction: f)).sorted() }
        base.trainSubsets = subsets
        return base
    }

    // MARK: helpers

    /// Distinct non-control perturbation labels, sorted.
    func perturbationLabels() -> [String] {
        Array(Set(cells.labels.filter { $0 != cells.labeling.controlLabel })).sorted()
    }

    /// Controls are divided within each cell type (when there is a cell-type column), else all together.
    func contextOfControls() -> (Int) -> String {
        if let name = cells.columns.cellType, let types = try? cells.values(of: name) { return { types[$0] } }
        return { _ in "" }
    }

    func checkFractions(val: Double, test: Double) throws {
        for (name, v) in [("val", val), ("test", test)] where !(0..<1).contains(v) {
            throw SplitError.invalidParameter(name: name, value: format(v), expected: "a fraction in [0, 1)")
        }
        guard val + test < 1 else {
            throw SplitError.invalidParameter(name: "val", value: "\(format(val)) + --test \(format(test))", expected: "a sum below 1")
        }
    }

    /// round(n · fraction), at least one when the fraction is positive (and `atLeastOne`).
    func count(_ n: Int, fraction: Double, atLeastOne: Bool = true) -> Int {
        let k = Int((Double(n) * fraction).rounded())
        return min(n, atLeastOne && fraction > 0 && n > 0 ? max(1, k) : k)
    }

    /// Shuffles `units` and deals test, then val, the rest train.
    func divide(
        _ units: [String], val: Double, test: Double, stream: UInt64, strategy: String,
        requireTrain: Bool = true
    ) throws -> ([String], [String], [String]) {
        var rng = SeededRandom(seed: seed, stream: stream)
        var shuffled = units.sorted()
        rng.shuffle(&shuffled)
        let nTest = count(units.count, fraction: test), nVal = count(units.count, fraction: val)
        if requireTrain && nTest + nVal >= units.count {
            throw SplitError.tooFewUnits(strategy: strategy, have: units.count, need: "more than \(nTest + nVal) to leave any for training")
        }
        let testUnits = Array(shuffled.prefix(nTest))
        let valUnits = Array(shuffled.dropFirst(nTest).prefix(max(0, min(nVal, units.count - nTest))))
        let trainUnits = Array(shuffled.dropFirst(nTest + valUnits.count))
        return (trainUnits, valUnits, testUnits)
    }

    /// Control cell ids divided within each context by the val/test fractions: [train, val, test].
    func divideControls(context: (Int) -> String, val: Double, test: Double, stream: UInt64) -> [[String]] {
        var groups: [String: [String]] = [:]
        for i in 0..<cells.count where cells.isControl(i) { groups[context(i), default: []].append(cells.ids[i]) }
        var out: [[String]] = [[], [], []]
        for (index, key) in groups.keys.sorted().enumerated() {
            var rng = SeededRandom(seed: seed, stream: stream &* 1000 &+ UInt64(index))
            var ids = groups[key]!.sorted()
            rng.shuffle(&ids)
            let nTest = count(ids.count, fraction: test), nVal = count(ids.count, fraction: val)
            out[2] += ids.prefix(nTest)
            out[1] += ids.dropFirst(nTest).prefix(nVal)
            out[0] += ids.dropFirst(nTest + nVal)
        }
        return out
    }

    /// The given levels (checked to exist) or `count` drawn at random; at least one level stays for training.
    func chooseLevels(
        _ levels: [String], given: [String]?, count n: Int, option: String, stream: UInt64,
        keepOne: Bool
    ) throws -> [String] {
        if let given {
            let unknown = given.filter { !levels.contains($0) }
            guard unknown.isEmpty else { throw SplitError.unknownValues(option: option, values: unknown, available: levels) }
            guard !keepOne || given.count < levels.count else {
                throw SplitError.invalidParameter(
                    name: option, value: given.joined(separator: ","), expected: "fewer values than the \(levels.count) present")
            }
            return given.sorted()
        }
        guard n >= 0, !keepOne || n < levels.count || n == 0 else {
            throw SplitError.invalidParameter(name: option, value: "\(n)", expected: "fewer than the \(levels.count) values present")
        }
        var rng = SeededRandom(seed: seed, stream: 100 + stream)
        var shuffled = levels
        rng.shuffle(&shuffled)
        return shuffled.prefix(n).sorted()
    }

    func split(
        _ name: String, parameters: [String: String], unit: [String], parts: [[String]], controls: [[String]],
        tiers: [String: [String: [String]]]? = nil
    ) -> Split {
        var dict: [String: SplitPart] = [:]
        for (i, partName) in Split.partNames.enumerated() {
            dict[partName] = SplitPart(conditions: parts[i], controlCells: controls[i])
        }
        return Split(
            strategy: name, parameters: parameters, seed: seed, columns: SplitColumns(cells.columns),
            unitColumns: unit, cellCount: cells.count, parts: dict, tiers: tiers)
    }

    func format(_ x: Double) -> String { String(x) }
}

/// A combination's tier relative to the training singles: seen2 when all members are training singles,
/// seen0 when none is, seen1 otherwise.
public struct ComboTiers: Sendable {
    public let trainingSingles: Set<String>
    public let labeling: ConditionLabeling

    public init(trainingSingles: Set<String>, labeling: ConditionLabeling) {
        self.trainingSingles = trainingSingles
        self.labeling = labeling
    }

    /// `seen0`, `seen1` or `seen2`.
    public func tier(_ combination: String) -> String {
        let members = labeling.members(of: combination)
        let seen = members.filter { trainingSingles.contains($0) }.count
        return seen == members.count ? "seen2" : (seen == 0 ? "seen0" : "seen1")
    }
}
