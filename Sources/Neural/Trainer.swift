import Foundation

/// How long and how carefully to train.
public struct TrainingOptions: Sendable {
    /// Most epochs to run.
    public var epochs: Int
    /// Epochs without a better validation score before stopping (0: never stop early).
    public var patience: Int
    /// Where to keep the best parameters so far (written atomically after each improvement), or nil.
    public var checkpoint: String?
    /// Name in progress lines.
    public var label: String
    /// Where progress lines (epoch, loss, score, cells/s, ETA) go; nil: nowhere.
    public var log: (@Sendable (String) -> Void)?

    public init(
        epochs: Int, patience: Int = 5, checkpoint: String? = nil, label: String = "training",
        log: (@Sendable (String) -> Void)? = nil
    ) {
        self.epochs = epochs
        self.patience = patience
        self.checkpoint = checkpoint
        self.label = label
        self.log = log
    }
}

/// What a training run did.
public struct TrainingSummary: Sendable {
    /// Epochs run (≤ the maximum when stopped early).
    public var epochs = 0
    /// The epoch whose parameters were kept (1-based), and its validation score.
    public var bestEpoch = 0
    public var bestScore = -Double.infinity
    /// Optimizer steps and training cells seen, over the whole run.
    public var steps = 0
    public var cells = 0
    /// Mean training loss of each epoch.
    public var losses: [Double] = []
    /// Seconds spent in training steps (validation excluded).
    public var trainingSeconds = 0.0

    /// Training throughput.
    public var cellsPerSecond: Double { trainingSeconds > 0 ? Double(cells) / trainingSeconds : 0 }
    /// Mean seconds per epoch of training steps.
    public var secondsPerEpoch: Double { epochs > 0 ? trainingSeconds / Double(epochs) : 0 }
}

/// One optimization step's result.
public struct StepResult: Sendable {
    public var loss: Double
    public var cells: Int
    public init(loss: Double, cells: Int) {
        self.loss = loss
        self.cells = cells
    }
}

/// The epoch loop shared by every neural model: steps over the epoch's mini-batches, a validation score after
/// each epoch (higher is better), early stopping with the best parameters restored, atomic checkpoints, and
/// progress lines (epoch, loss, score, cells/s, ETA) to `options.log`.
public enum Trainer {
    /// Trains `parameters` by calling `step(epoch, batch)` for each of `batches(epoch)` mini-batches.
    public static func run(
        _ options: TrainingOptions, parameters: [(name: String, tensor: Tensor)],
        batches: (Int) throws -> Int, step: (Int, Int) throws -> StepResult,
        validate: (() throws -> Double)?
    ) throws -> TrainingSummary {
        var summary = TrainingSummary()
        var best: [Tensor]? = nil
        var stale = 0
        for epoch in 0..<options.epochs {
            let count = try batches(epoch)
            let started = Date()
            var lossSum = 0.0, lossCells = 0
            for b in 0..<count {
                let r = try step(epoch, b)
                guard r.loss.isFinite else {
                    throw TorchError(
                        operation: "\(options.label) training",
                        message: "loss became \(r.loss) at epoch \(epoch + 1), "
                            + "step \(b + 1); lower the learning rate")
                }
                lossSum += r.loss * Double(r.cells)
                lossCells += r.cells
                summary.steps += 1
            }
            let seconds = Date().timeIntervalSince(started)
            summary.trainingSeconds += seconds
            summary.cells += lossCells
            summary.epochs = epoch + 1
            summary.losses.append(lossCells > 0 ? lossSum / Double(lossCells) : 0)
            let score = try validate?() ?? -summary.losses.last!
            if score > summary.bestScore || best == nil {
                summary.bestScore = score
                summary.bestEpoch = epoch + 1
                best = try Torch.withoutGradients { try parameters.map { try $0.tensor.detached().cloned() } }
                if let path = options.checkpoint { try TensorArchive.save(parameters, to: path) }
                stale = 0
            } else {
                stale += 1
            }
            let rate = seconds > 0 ? Double(lossCells) / seconds : 0
            let eta = Double(options.epochs - epoch - 1) * summary.trainingSeconds / Double(epoch + 1)
            options.log?(
                String(
                    format: "%@: epoch %d/%d loss %.4f %@ %.3f, %.0f cells/s, ETA %.0fs", options.label, epoch + 1,
                    options.epochs, summary.losses.last!, validate == nil ? "-loss" : "val", score, rate, eta))
            if options.patience > 0 && stale >= options.patience { break }
        }
        if let best {
            for (p, saved) in zip(parameters, best) { try p.tensor.assign(saved) }
        }
        options.log?(
            String(
                format: "%@: kept epoch %d of %d (score %.4f), %.0f cells/s, %.2fs/epoch", options.label,
                summary.bestEpoch, summary.epochs, summary.bestScore, summary.cellsPerSecond, summary.secondsPerEpoch))
        return summary
    }
}
