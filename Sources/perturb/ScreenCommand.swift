import ArgumentParser
import Foundation
import PerturbKit

/// `perturb screen`: an in-silico screen with a fitted forward model.
struct Screen: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Rank candidate perturbations by how close a fitted forward model brings a source state (e.g. "
            + "disease cells) to a target state (e.g. healthy cells): predicted perturbed source = source mean + "
            + "predicted delta, clipped at 0. Writes a ranked CSV with distance, improvement, predicted delta norm "
            + "and the genes moved most.")

    @Argument(help: "Model directory written by `perturb fit`.")
    var model: String

    @Option(help: "Source state: an .h5ad file (all its cells, or --from-group).")
    var from: String

    @Option(name: .customLong("from-group"), help: "Use only the source cells whose --group-col holds this label.")
    var fromGroup: String?

    @Option(help: "Target state: an .h5ad file (all its cells, or --to-group).")
    var to: String

    @Option(name: .customLong("to-group"), help: "Use only the target cells whose --group-col holds this label.")
    var toGroup: String?

    @Option(name: .customLong("group-col"), help: "obs column for --from-group / --to-group.")
    var groupColumn = "target_gene"

    @Option(help: "File of candidate perturbations, one label per line (default: every training perturbation and every gene the model can represent).")
    var candidates: String?

    @Flag(help: "Also screen every pair of the single candidates.")
    var pairs = false

    @Option(help: "Distance to the target: l2, l1, or cosine (1 − cosine of the predicted and the needed change).")
    var distance = "l2"

    @Option(name: .customLong("cell-type"), help: "Cell type the model predicts in (when it was fit with one).")
    var cellType: String?

    @Option(help: "Batch the model predicts in (when it was fit with one).")
    var batch: String?

    @Option(help: "Rows to print.")
    var top = 10

    @Option(name: [.short, .customLong("output")], help: "Ranked CSV to write.")
    var output: String

    @OptionGroup var runOptions: RunOptions

    func validate() throws {
        guard InSilicoScreen.distances.contains(distance) else {
            throw ValidationError("--distance must be one of \(InSilicoScreen.distances.joined(separator: ", "))")
        }
    }

    func run() throws {
        let started = Date()
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
        let list = InSilicoScreen.candidates(model: forward, trainingPerturbations: directory.provenance.trainingPerturbations ?? [],
                                             listed: listed, pairs: pairs)
        guard !list.isEmpty else {
            throw ModelError.invalidInput(path: model, field: "model.json", reason: "the model records no training perturbations "
                                          + "and represents no further genes; give --candidates")
        }
        note("screening \(list.count) candidates with \(directory.modelName)", quiet: runOptions.quiet)
        let screen = InSilicoScreen(genes: directory.genes, source: source, target: target,
                                    context: CellContext(cellType: cellType, batch: batch), distance: distance)
        let hits = try screen.rank(forward, candidates: list)
        try AtomicFile.write(Data(screen.csv(hits).utf8), to: output)
        let manifestPath = output + ".manifest.json"
        try Manifest.make(command: CommandLine.arguments, inputPaths: Array(Set([from, to])), seed: nil, started: started,
                          outputs: [output]).write(to: manifestPath)
        print(String(format: "unperturbed source → target distance: %.4f", screen.baselineDistance))
        for (i, hit) in hits.prefix(top).enumerated() {
            print(String(format: "%3d  %@  distance %.4f  |delta| %.3f  ", i + 1, hit.perturbation, hit.distance, hit.deltaNorm)
                  + hit.topGenes.prefix(3).map { "\($0.gene) " + String(format: "%+.2f", $0.change) }.joined(separator: ", "))
        }
        note("wrote \(output)", quiet: runOptions.quiet)
    }
}
