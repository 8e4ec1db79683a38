import Foundation
import Models
import PerturbData
import Support

/// `perturb predict` as one job: load a model directory, check it against the data, predict every perturbed
/// condition of a split part from its control cells, and write the predictions (and optionally the real cells)
/// with a manifest.
public struct PredictRun: Sendable {
    /// Model directory written by `perturb fit`.
    public var model: String
    /// Prepared .h5ad file with the model's genes.
    public var data: String
    /// Split JSON.
    public var split: String
    /// Part to predict.
    public var part: SplitPartName
    public var layer: String?
    /// Seed of the control-cell draw and of the resampling.
    public var seed: UInt64
    /// How predicted cells are made from the predicted mean.
    public var cells: CellGeneration
    /// Predicted .h5ad to write.
    public var output: String
    /// Where to write the part's real cells, if anywhere.
    public var realOutput: String?

    public init(
        model: String, data: String, split: String, part: SplitPartName = .test, layer: String? = nil, seed: UInt64 = 0,
        cells: CellGeneration = .resample, output: String, realOutput: String? = nil
    ) {
        self.model = model; self.data = data; self.split = split; self.part = part; self.layer = layer; self.seed = seed
        self.cells = cells
        self.output = output; self.realOutput = realOutput
    }

    /// Runs the job; returns the number of predicted cells and the model's name.
    @discardableResult
    public func run(
        recorder: RunRecorder = RunRecorder(), log: (@Sendable (String) -> Void)? = nil,
        progress: ProgressHandler? = nil
    ) throws -> (cells: Int, model: String) {
        let directory = try ModelDirectory(reading: model)
        let hash = BackgroundHash(path: data)
        let parts = try SplitParts.load(path: data, splitPath: split, layer: layer, progress: progress)
        try directory.checkGenes(parts.train.genes, dataPath: data)
        if let fitHash = directory.provenance.splitHash, fitHash != parts.split.contentHash {
            log?(
                "warning: the model was fit on split \(fitHash), not on \(parts.split.contentHash ?? "this unhashed split"); "
                    + "its test conditions may have been seen in training")
        }
        let target = parts.part(part)
        let model = try directory.model()
        if let unseen = Self.unrepresentable(model, directory, target.perturbationLabels, parts.columns.labeling), !unseen.isEmpty {
            log?(
                "warning: \(unseen.count) of \(target.perturbationLabels.count) predicted perturbations have members "
                    + "\(directory.modelName) never saw in training and cannot represent ("
                    + unseen.prefix(5).joined(separator: ", ") + (unseen.count > 5 ? ", …" : "")
                    + "): it predicts them \(type(of: model).unseenFallback)")
        }
        let predicted = try ForwardFitting.predict(
            model, part: target, columns: parts.columns, seed: seed, cells: cells, source: data)
        try predicted.write(to: output)
        var outputs = [output]
        if let realOutput {
            try ForwardFitting.reference(target, columns: parts.columns).write(to: realOutput)
            outputs.append(realOutput)
        }
        try recorder.finish(
            at: output + ".manifest.json", inputs: [data: try hash.value()], splitHash: parts.split.contentHash,
            seed: seed, outputs: outputs)
        log?("wrote \(outputs.joined(separator: ", ")): \(predicted.cellCount) cells from \(directory.modelName)")
        return (predicted.cellCount, directory.modelName)
    }

    /// The `labels` with a member that is neither among the members of the model's training perturbations nor a
    /// target it can represent; nil when the directory does not record its training perturbations.
    static func unrepresentable(
        _ model: any ForwardModel, _ directory: ModelDirectory, _ labels: [String], _ labeling: ConditionLabeling
    ) -> [String]? {
        guard let trained = directory.provenance.trainingPerturbations else { return nil }
        let known = Set(trained.flatMap { labeling.members(of: $0) } + model.representableTargets())
        return labels.filter { labeling.members(of: $0).contains { !known.contains($0) } }
    }
}
