import Foundation
import Support

/// The split Tx-Evaluation evaluates on (`train_test1_test2_split`, biomodalities/data/data_split.py): a share of
/// the batches and of the perturbations (70 %) is drawn for training. Among perturbed cells, `train` holds the
/// training batches × training perturbations; `test1` the other batches × training perturbations (only those that
/// reached `train`); `test2` the other batches × the other perturbations. Each part then gets the control cells of
/// the batches it holds, so a test batch's controls are in both `test1` and `test2`.
public struct TxEvaluationSplit: Sendable, Equatable {
    /// Cell indices of each part: its perturbed cells, then its controls (the reference's order); a test batch's
    /// controls are in both test parts.
    public var train: [Int]
    public var test1: [Int]
    public var test2: [Int]

    public init(train: [Int], test1: [Int], test2: [Int]) {
        self.train = train; self.test1 = test1; self.test2 = test2
    }

    /// The split of `cells` with `trainFraction` of batches and perturbations (each rounded down) drawn with `seed`.
    /// Batches and perturbations are taken in order of first appearance among perturbed cells, then permuted, as
    /// the reference does (with our generator, not numpy's: the same seed draws a different split).
    public init(_ cells: EmbeddingCells, trainFraction: Double = 0.7, seed: UInt64) {
        let perturbed = (0..<cells.count).filter { !cells.isControl($0) }
        var rng = SeededRandom(seed: seed, stream: 2800)
        var batches = perturbed.map { cells.batches[$0] }.distinctInOrder
        var labels = perturbed.map { cells.labels[$0] }.distinctInOrder
        rng.shuffle(&batches)
        rng.shuffle(&labels)
        let trainBatches = Set(batches.prefix(Int(Double(batches.count) * trainFraction)))
        let trainLabels = Set(labels.prefix(Int(Double(labels.count) * trainFraction)))
        var train: [Int] = [], test1: [Int] = [], test2: [Int] = []
        for i in perturbed {
            if trainBatches.contains(cells.batches[i]) {
                if trainLabels.contains(cells.labels[i]) { train.append(i) }
            } else if trainLabels.contains(cells.labels[i]) {
                test1.append(i)
            } else {
                test2.append(i)
            }
        }
        let reached = Set(train.map { cells.labels[$0] })
        test1 = test1.filter { reached.contains(cells.labels[$0]) }
        self.init(train: train, test1: test1, test2: test2)
        withControls(cells)
    }

    /// Adds to each part the control cells of the batches it holds.
    mutating func withControls(_ cells: EmbeddingCells) {
        let controls = (0..<cells.count).filter { cells.isControl($0) }
        func add(_ part: [Int]) -> [Int] {
            let held = Set(part.map { cells.batches[$0] })
            return part + controls.filter { held.contains(cells.batches[$0]) }
        }
        train = add(train); test1 = add(test1); test2 = add(test2)
    }
}
