import Foundation
import Models
import PerturbData
import Support

/// `perturb screen` as one job: read the source and target states, rank candidate perturbations with a fitted
/// forward model by how close they bring the source to the target, write the ranked CSV and its manifest.
public struct ScreenRun: Sendable {
    /// Model directory written by `perturb fit`.
    public var model: String
    /// Source and target .h5ad files, and the groups within them (nil: all cells).
    public var from: String, fromGroup: String?
    public var to: String, toGroup: String?
    /// obs column of the groups.
    public var groupColumn: String
    /// File of candidate labels (nil: every training perturbation and every gene the model represents).
    public var candidates: String?
    /// Also screen every pair of the single candidates.
    public var pairs: Bool
    public var distance: ScreenDistance
    /// The context the model predicts in.
    public var cellType: String?, batch: String?
    /// Ranked CSV to write.
    public var output: String

    public init(
        model: String, from: String, fromGroup: String? = nil, to: String, toGroup: String? = nil,
        groupColumn: String = DatasetColumns.defaultPerturbation, candidates: String? = nil, pairs: Bool = false,
        distance: ScreenDistance = .l2, cellType: String? = nil, batch: String? = nil, output: String
    ) {
        self.model = model; self.from = from; self.fromGroup = fromGroup; self.to = to; self.toGroup = toGroup
        self.groupColumn = groupColumn; self.candidates = candidates; self.pairs = pairs; self.distance = distance
        self.cellType = cellType; self.batch = batch; self.output = output
    }

    /// Runs the job; returns the screen (for its baseline distance) and the ranked hits.
    @discardableResult
    public func run(recorder: RunRecorder = RunRecorder(), log: (@Sendable (String) -> Void)? = nil) throws
        -> (screen: InSilicoScreen, hits: [ScreenHit])
    {
        let directory = try ModelDirectory(reading: model)
        let forward = try directory.model()
        // One read when source and target come from the same file.
        let sourceState = try StateProfile.means(path: from, column: groupColumn, groups: from == to ? [fromGroup, toGroup] : [fromGroup])
        try directory.checkGenes(sourceState.genes, dataPath: from)
        let targetState = from == to ? sourceState : try StateProfile.means(path: to, column: groupColumn, groups: [toGroup])
        try directory.checkGenes(targetState.genes, dataPath: to)
        let source = sourceState.means[0], target = targetState.means[from == to ? 1 : 0]
        let listed = try candidates.map { path -> [String] in
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw ModelError.invalidInput(path: path, field: "--candidates", reason: "cannot be read as UTF-8 text")
            }
            let items = text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            guard !items.isEmpty else {
                throw ModelError.invalidInput(path: path, field: "--candidates", reason: "empty; expected one perturbation label per line")
            }
            return items
        }
        let list = InSilicoScreen.candidates(
            model: forward, trainingPerturbations: directory.provenance.trainingPerturbations ?? [],
            listed: listed, pairs: pairs)
        guard !list.isEmpty else {
            throw ModelError.invalidInput(
                path: model, field: "model.json",
                reason: "the model records no training perturbations "
                    + "and represents no further genes; give --candidates")
        }
        log?("screening \(list.count) candidates with \(directory.modelName)")
        let screen = InSilicoScreen(
            genes: directory.genes, source: source, target: target,
            context: CellContext(cellType: cellType, batch: batch), distance: distance)
        let hits = try screen.rank(forward, candidates: list)
        try AtomicFile.write(Data(screen.csv(hits).utf8), to: output)
        try recorder.finish(at: output + ".manifest.json", inputPaths: Array(Set([from, to])), outputs: [output])
        return (screen, hits)
    }
}
