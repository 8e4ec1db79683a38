import Foundation
import Models
import PerturbData
import Support

/// `perturb reverse` as one job: read the data and split, fit and evaluate every reverse model on the test
/// part, write the metric tables, rankings and manifest.
public struct ReverseRun: Sendable {
    /// Prepared .h5ad file.
    public var data: String
    /// Split JSON.
    public var split: String
    /// The models to run (name, label, hyperparameters).
    public var models: [ReverseModelSpec]
    public var layer: String?
    /// Mask every perturbation target from the profiles.
    public var mask: Bool
    public var universe: TargetUniverse
    public var seed: UInt64
    /// Output directory.
    public var output: String

    public init(
        data: String, split: String, models: [ReverseModelSpec], layer: String? = nil, mask: Bool = true,
        universe: TargetUniverse = .targets, seed: UInt64 = 0, output: String
    ) {
        self.data = data; self.split = split; self.models = models; self.layer = layer; self.mask = mask
        self.universe = universe; self.seed = seed; self.output = output
    }

    /// Runs the job; returns the reports (one per model) after every file is written.
    @discardableResult
    public func run(
        recorder: RunRecorder = RunRecorder(), log: (@Sendable (String) -> Void)? = nil,
        progress: ProgressHandler? = nil
    ) throws -> [ReverseReport] {
        for spec in models { _ = try reverseModels.make(spec.name, hyperparameters: spec.hyperparameters) }
        let hash = BackgroundHash(path: data)
        let parts = try SplitParts.load(path: data, splitPath: split, layer: layer, progress: progress)
        var reports: [ReverseReport] = []
        for spec in models {
            let t0 = Date()
            reports.append(
                try ReverseEvaluation.run(
                    model: spec.name, label: spec.label, hyperparameters: spec.hyperparameters,
                    parts: parts, mask: mask, universe: universe, seed: seed,
                    log: log))
            log?(String(format: "%@: done in %.1fs", spec.label, Date().timeIntervalSince(t0)))
        }
        var outputs = try ReverseTables.write(reports, to: output)
        let manifestPath = (output as NSString).appendingPathComponent("manifest.json")
        outputs.append(manifestPath)
        try recorder.finish(
            at: manifestPath, inputs: [data: try hash.value()], splitHash: parts.split.contentHash, seed: seed,
            outputs: outputs)
        return reports
    }
}
