import PerturbData
import Support

/// The set data path every set model trains on (docs/DESIGN.md §8): per step, `setsPerStep` sets of `setSize`
/// cells of one perturbed condition (perturbation, cell type, batch), each with a matched set of `setSize` control
/// cells of the same context (cell type and batch, else cell type, else any).
///
/// Imbalance: conditions are drawn uniformly, whatever their cell counts — a condition with 5,000 cells is drawn as
/// often as one with 60, and each draw takes `setSize` of its cells — so large conditions cannot dominate a step or
/// an epoch. Within a step conditions do not repeat while there are enough of them. Cells are drawn without
/// replacement when the condition (or the control pool) has at least `setSize` cells and `replacement` is off, with
/// replacement otherwise. Every draw comes from the caller's seeded generator.
public struct SetSampler: Sendable {
    /// The hyperparameters of the set path.
    public struct Options: Sendable, Equatable {
        /// Cells per set (S).
        public var setSize: Int
        /// Sets per training step.
        public var setsPerStep: Int
        /// Draw cells with replacement even when a condition has S or more.
        public var replacement: Bool

        public init(setSize: Int = 64, setsPerStep: Int = 8, replacement: Bool = false) {
            self.setSize = setSize; self.setsPerStep = setsPerStep; self.replacement = replacement
        }
    }

    /// One training example: a condition's cells and matched control cells (row indices of the dataset).
    public struct SetPair: Sendable, Equatable {
        public let condition: Condition
        public let cells: [Int]
        public let controls: [Int]
    }

    public let options: Options
    /// The perturbed conditions, sorted.
    public let conditions: [Condition]
    let cellsOf: [Condition: [Int]]
    let controlsOf: [Condition: [Int]]

    /// The sampler over the perturbed conditions of `data`; `model` names the model in errors.
    public init(_ data: PerturbationDataset, options: Options, model: String) throws {
        guard options.setSize >= 1, options.setsPerStep >= 1 else {
            throw ModelError.invalidHyperparameter(
                model: model, key: options.setSize < 1 ? "set_size" : "sets_per_step",
                value: String(options.setSize < 1 ? options.setSize : options.setsPerStep), expected: "a positive integer")
        }
        let controls = CellContext.controlCells(of: data)
        guard !controls.isEmpty else {
            throw ModelError.unusableTrainingData(
                model: model, reason: "no control cells (label '\(data.controlLabel)') to match sets with")
        }
        var cells: [Condition: [Int]] = [:], matched: [Condition: [Int]] = [:]
        for (condition, rows) in data.groups.cellsByCondition where condition.perturbation != data.controlLabel && !rows.isEmpty {
            cells[condition] = rows
            matched[condition] = ConditionDeltas.lookup(controls, CellContext(condition))
        }
        guard !cells.isEmpty else {
            throw ModelError.unusableTrainingData(model: model, reason: "no perturbed cells to make sets from")
        }
        self.options = options
        conditions = cells.keys.sorted()
        cellsOf = cells
        controlsOf = matched
    }

    /// The sets of one step.
    public func step(_ rng: inout SeededRandom) -> [SetPair] {
        var chosen: [Condition] = []
        while chosen.count < options.setsPerStep {
            let order = rng.permutation(conditions.count).map { conditions[$0] }
            chosen += order.prefix(options.setsPerStep - chosen.count)
        }
        return chosen.map { pair($0, &rng) }
    }

    /// One set pair of `condition`.
    public func pair(_ condition: Condition, _ rng: inout SeededRandom) -> SetPair {
        SetPair(
            condition: condition, cells: draw(cellsOf[condition]!, &rng), controls: draw(controlsOf[condition]!, &rng))
    }

    /// `setSize` of `pool`: without replacement when it can be, with replacement otherwise.
    func draw(_ pool: [Int], _ rng: inout SeededRandom) -> [Int] {
        let s = options.setSize
        if !options.replacement && pool.count >= s { return rng.permutation(pool.count).prefix(s).map { pool[$0] } }
        return (0..<s).map { _ in pool[rng.index(pool.count)] }
    }
}
