import ArgumentParser
import Foundation
import PerturbKit

/// `perturb simulate`: a synthetic screen with known effects.
struct SimulateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Simulate a single-cell perturbation screen with known true effects (negative-binomial counts).")

    @Option(help: "Single-gene perturbations.") var perturbations = 60
    @Option(help: "Double perturbations A+B drawn from pairs of the singles.") var doubles = 0
    @Option(name: .customLong("cells-per"), help: "Cells per perturbation.") var cellsPer = 150
    @Option(help: "Control cells (default: twice --cells-per, at least 300).") var controls: Int?
    @Option(help: "Genes.") var genes = 2000
    @Option(help: "Co-regulated gene modules.") var modules = 20
    @Option(name: .customLong("module-size"), help: "Genes per module.") var moduleSize = 25
    @Option(name: .customLong("cell-types"), help: "Cell types.") var cellTypes = 1
    @Option(help: "Batches.") var batches = 1
    @Option(name: .customLong("library-size"), help: "Median UMIs per cell.") var librarySize = 4000.0
    @Option(help: "Seed of every random choice.") var seed: UInt64 = 0
    @Option(name: .customLong("pert-col"), help: "obs column for the perturbation label.") var perturbationColumn = DatasetColumns
        .defaultPerturbation
    @Option(help: "Label of control cells.") var control = DatasetColumns.defaultControl
    @Flag(help: "Write log1p-normalized X (counts kept in layers['counts']).") var log1p = false
    @Option(help: "gzip level for the arrays (0: none).") var gzip = 4
    @Option(name: .customLong("gene-features"), help: "Also write a CSV of module memberships per gene (pathway-like prior features).")
    var geneFeatures: String?
    @Option(name: .shortAndLong, help: "Output .h5ad file.") var output: String
    @OptionGroup var runOptions: RunOptions

    func run() throws {
        var config = SimulationConfig()
        config.perturbations = perturbations
        config.doubles = doubles
        config.cellsPerPerturbation = cellsPer
        config.controlCells = controls
        config.genes = genes
        config.modules = modules
        config.moduleSize = moduleSize
        config.cellTypes = cellTypes
        config.batches = batches
        config.librarySize = librarySize
        config.seed = seed
        config.perturbationColumn = perturbationColumn
        config.controlLabel = control
        let (simulation, manifestPath) = try SimulateRun(
            config: config, log1p: log1p, output: output, geneFeatures: geneFeatures,
            gzip: gzip
        )
        .run(threads: runOptions.threadCount, progress: runOptions.progress("simulating", unit: "cells"))
        note(
            "wrote \(output): \(simulation.data.cellCount) cells × \(simulation.data.geneCount) genes, "
                + "\(simulation.effects.count) perturbations (truth in uns['\(Simulator.unsKey)']); manifest \(manifestPath)",
            quiet: runOptions.quiet)
    }
}
