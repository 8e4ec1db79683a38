import Foundation
import Models
import Neural
import PerturbData
import Support

/// `perturb fit` as one job: read the data and split, fit the model on the training part with the run's one
/// seed, write the model directory and its manifest atomically.
public struct FitRun: Sendable {
    /// Prepared .h5ad file.
    public var data: String
    /// Split JSON.
    public var split: String
    /// Registered forward model name.
    public var model: String
    public var hyperparameters: Hyperparameters
    /// Matrix to use instead of X.
    public var layer: String?
    /// `--seed` when given (the seed may also come from the hyperparameters; see `FitContext`).
    public var seed: UInt64?
    /// Model directory to write.
    public var output: String
    /// Threads for a model whose own `threads` hyperparameter is not given (nil: the library's default).
    public var threads: Int?
    /// Where a neural model trains (`FitContext.device`).
    public var device: Device
    /// The arithmetic of neural training (`FitContext.precision`).
    public var precision: Precision

    public init(
        data: String, split: String, model: String, hyperparameters: Hyperparameters, layer: String? = nil,
        seed: UInt64? = nil, output: String, threads: Int? = nil, device: Device = .cpu,
        precision: Precision = .float32
    ) {
        self.data = data; self.split = split; self.model = model; self.hyperparameters = hyperparameters
        self.layer = layer; self.seed = seed; self.output = output; self.threads = threads; self.device = device
        self.precision = precision
    }

    /// Runs the job; `log` gets stage messages, `progress` the read's progress. Returns the directory written.
    @discardableResult
    public func run(
        recorder: RunRecorder = RunRecorder(), log: (@Sendable (String) -> Void)? = nil,
        progress: ProgressHandler? = nil
    ) throws -> ModelDirectory {
        var context = try FitContext(seed: seed, hyperparameters: hyperparameters, model: model, threads: threads, progress: log)
        context.device = device
        context.precision = precision
        _ = try forwardModels.type(named: model)
        log?("reading \(data)")
        let hash = BackgroundHash(path: data)
        let parts = try SplitParts.load(path: data, splitPath: split, layer: layer, progress: progress)
        log?(
            "fitting \(model) on \(parts.train.cellCount) training cells" + (device == .cpu ? "" : " on \(device)")
                + (precision == .float32 ? "" : " in \(precision) mixed precision"))
        let fitted = try ForwardFitting.fit(
            model, hyperparameters: hyperparameters, parts: parts, dataSHA256: try hash.value(),
            context: context)
        try fitted.directory.write(to: output)
        try recorder.finish(
            at: (output as NSString).appendingPathComponent("manifest.json"), inputs: [data: try hash.value()],
            splitHash: parts.split.contentHash, seed: context.seed, outputs: [output])
        log?("wrote \(output) (\(model), \(fitted.directory.genes.count) genes)")
        return fitted.directory
    }
}
