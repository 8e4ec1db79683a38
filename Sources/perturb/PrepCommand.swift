import ArgumentParser
import Foundation
import PerturbKit

/// `perturb prep`: QC, normalization, log1p and highly variable genes as scanpy computes them.
struct PrepCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prep",
        abstract: "Preprocess an .h5ad file as scanpy does: QC filters, normalize-total, log1p, highly variable genes "
            + "(seurat, cell_ranger, seurat_v3), gene subset; writes the result, a summary JSON and a manifest.",
        discussion: "With --split, the median library size and the highly variable genes are fit on the split's "
            + "training cells only and applied to every cell, so nothing is learnt from test cells.")

    @Argument(help: "Input .h5ad file.") var input: String
    @Option(name: [.short, .customLong("output")], help: "Output .h5ad file.") var output: String
    @Option(help: "Read the input matrix from this layer instead of X.") var layer: String?

    @Flag(help: "normalize-total each cell (requires counts).") var normalize = false
    @Option(name: .customLong("target-sum"), help: "Total per cell after normalization (default: median library size).")
    var targetSum: Double?
    @Flag(help: "log1p the values.") var log1p = false
    @Option(help: "Multiply the values by this factor at the end (e.g. 10: the SCALE / State protocol).") var rescale: Double?
    @Option(name: .customLong("counts-layer"), help: "Keep the raw counts in this layer.") var countsLayer: String?

    @Option(help: "Number of highly variable genes to select.") var hvg: Int?
    @Flag(name: .customLong("hvg-cutoffs"), help: "Select by scanpy's mean/dispersion cutoffs instead of a count.")
    var hvgCutoffs = false
    @Option(name: .customLong("hvg-flavor"), help: "seurat, cell_ranger, seurat_v3 or seurat_v3_paper.") var hvgFlavor = HVGFlavor.seurat
    @Option(name: .customLong("hvg-bins"), help: "Mean bins (seurat flavor).") var hvgBins = 20
    @Option(name: .customLong("hvg-span"), help: "LOESS span (seurat_v3 flavors).") var hvgSpan = 0.3
    @Option(name: .customLong("min-mean"), help: "Cutoff mode: minimum mean.") var minMean = 0.0125
    @Option(name: .customLong("max-mean"), help: "Cutoff mode: maximum mean.") var maxMean = 3.0
    @Option(name: .customLong("min-disp"), help: "Cutoff mode: minimum normalized dispersion.") var minDisp = 0.5
    @Option(name: .customLong("max-disp"), help: "Cutoff mode: maximum normalized dispersion.") var maxDisp = Double.infinity
    @Option(name: .customLong("batch-key"), help: "obs column: select HVGs per batch and merge (scanpy batch_key).")
    var batchKey: String?
    @Option(name: .customLong("hvg-layer"), help: "Select HVGs on this layer (e.g. counts for seurat_v3 when X is log data).")
    var hvgLayer: String?
    @Flag(name: .customLong("no-subset"), help: "Annotate var with the HVG columns but keep every gene.") var noSubset = false
    @Flag(name: .customLong("keep-targets"), help: "Keep perturbation target genes even when not highly variable.")
    var keepTargets = false

    @Option(help: "Keep only cells whose obs column has one of these values: COLUMN=V1,V2 (e.g. dataset=norman19).")
    var keep: String?
    @Option(
        name: .customLong("drop-labels"), help: "Comma-separated perturbation labels whose cells are removed (e.g. unassigned,multiple).")
    var dropLabels: String?
    @Option(name: .customLong("min-counts"), help: "Minimum total counts per cell.") var minCounts = 0.0
    @Option(name: .customLong("min-genes"), help: "Minimum detected genes per cell.") var minGenes = 0
    @Option(name: .customLong("min-cells"), help: "Minimum cells expressing a gene.") var minCells = 0
    @Option(name: .customLong("min-cells-per-condition"), help: "Minimum cells of a single perturbation (controls exempt).")
    var minCellsPerCondition = 50
    @Option(name: .customLong("min-cells-per-combination"), help: "Minimum cells of a combination A+B.")
    var minCellsPerCombination = 30

    @Option(
        name: .customLong("guide-counts"),
        help: "Guide UMI counts (.h5ad, cells × guides): label each cell with the targets of its guides (high-MOI screens).")
    var guideCounts: String?
    @Option(name: .customLong("guide-threshold"), help: "Minimum UMIs of a guide in a cell to assign it (with --guide-counts).")
    var guideThreshold: Double?
    @Option(name: .customLong("guide-target-col"), help: "var column of the guide file naming each guide's target (default: guide names).")
    var guideTargetColumn: String?
    @Option(help: "Split JSON: fit on its training cells only.") var split: String?
    @Option(help: "Summary JSON path (default: OUTPUT.prep.json).") var summary: String?
    @Option(help: "gzip level for the output arrays (0: none).") var gzip = 4

    @OptionGroup var dataset: DatasetOptions
    @OptionGroup var runOptions: RunOptions

    func validate() throws {
        if hvg != nil && hvgCutoffs { throw ValidationError("give --hvg N or --hvg-cutoffs, not both") }
        if let hvg, hvg <= 0 { throw ValidationError("--hvg must be positive, got \(hvg)") }
        if let targetSum, targetSum <= 0 { throw ValidationError("--target-sum must be positive") }
        if let keep, QCOptions.keepFilter(keep) == nil { throw ValidationError("--keep must look like COLUMN=V1,V2, got '\(keep)'") }
        if (guideCounts == nil) != (guideThreshold == nil) {
            throw ValidationError("--guide-counts and --guide-threshold go together")
        }
        if let guideThreshold, !(guideThreshold > 0) {
            throw ValidationError("--guide-threshold must be a positive number of UMIs, got \(guideThreshold)")
        }
    }

    func run() throws {
        var options = PrepOptions(columns: dataset.columns)
        options.inputLayer = layer
        options.qc.keep = keep.flatMap(QCOptions.keepFilter)
        options.qc.dropLabels = dropLabels.map(commaList) ?? []
        options.qc.minCountsPerCell = minCounts
        options.qc.minGenesPerCell = minGenes
        options.qc.minCellsPerGene = minCells
        options.qc.minCellsPerSingle = minCellsPerCondition
        options.qc.minCellsPerCombination = minCellsPerCombination
        options.normalize = normalize
        options.targetSum = targetSum
        options.log1p = log1p
        options.rescale = rescale
        options.countsLayer = countsLayer
        let flavor = hvgFlavor
        if let hvg {
            options.hvg = HVGOptions(flavor: flavor, selection: .top(hvg), bins: hvgBins, span: hvgSpan)
        } else if hvgCutoffs {
            options.hvg = HVGOptions(
                flavor: flavor,
                selection: .cutoffs(
                    HVGCutoffs(
                        minMean: minMean, maxMean: maxMean,
                        minDispersion: minDisp, maxDispersion: maxDisp)),
                bins: hvgBins, span: hvgSpan)
        }
        options.hvgBatchColumn = batchKey
        options.hvgLayer = hvgLayer
        options.subsetToHVG = !noSubset
        options.keepTargets = keepTargets
        var job = PrepRun(input: input, output: output, options: options, split: split, summary: summary, gzip: gzip)
        if let guideCounts, let guideThreshold {
            job.guideCounts = (guideCounts, GuideAssignment(threshold: guideThreshold, targetColumn: guideTargetColumn))
        }
        let (report, written) = try job.run(progress: runOptions.progress("reading", unit: "entries"))
        note(report.text + "\nwrote \(written.joined(separator: ", "))", quiet: runOptions.quiet)
    }
}

extension HVGFlavor: ExpressibleByArgument {}
