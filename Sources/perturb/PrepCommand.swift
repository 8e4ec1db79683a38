import ArgumentParser
import Foundation
import PerturbKit

/// `perturb prep`: QC, normalization, log1p and highly variable genes as scanpy computes them.
struct Prep: ParsableCommand {
    static let configuration = CommandConfiguration(
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
    @Option(name: .customLong("hvg-flavor"), help: "seurat, cell_ranger, seurat_v3 or seurat_v3_paper.") var hvgFlavor = "seurat"
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
    @Option(name: .customLong("drop-labels"), help: "Comma-separated perturbation labels whose cells are removed (e.g. unassigned,multiple).")
    var dropLabels: String?
    @Option(name: .customLong("min-counts"), help: "Minimum total counts per cell.") var minCounts = 0.0
    @Option(name: .customLong("min-genes"), help: "Minimum detected genes per cell.") var minGenes = 0
    @Option(name: .customLong("min-cells"), help: "Minimum cells expressing a gene.") var minCells = 0
    @Option(name: .customLong("min-cells-per-condition"), help: "Minimum cells of a single perturbation (controls exempt).")
    var minCellsPerCondition = 50
    @Option(name: .customLong("min-cells-per-combination"), help: "Minimum cells of a combination A+B.")
    var minCellsPerCombination = 30

    @Option(help: "Split JSON: fit on its training cells only.") var split: String?
    @Option(help: "Summary JSON path (default: OUTPUT.prep.json).") var summary: String?
    @Option(help: "gzip level for the output arrays (0: none).") var gzip = 4

    @OptionGroup var dataset: DatasetOptions
    @OptionGroup var runOptions: RunOptions

    func validate() throws {
        guard HVGFlavor(rawValue: hvgFlavor) != nil else {
            throw ValidationError("--hvg-flavor must be one of \(HVGFlavor.allCases.map(\.rawValue).joined(separator: ", ")), got '\(hvgFlavor)'")
        }
        if hvg != nil && hvgCutoffs { throw ValidationError("give --hvg N or --hvg-cutoffs, not both") }
        if let hvg, hvg <= 0 { throw ValidationError("--hvg must be positive, got \(hvg)") }
        if let targetSum, targetSum <= 0 { throw ValidationError("--target-sum must be positive") }
        if let keep, keepFilter(keep) == nil { throw ValidationError("--keep must look like COLUMN=V1,V2, got '\(keep)'") }
    }

    func run() throws {
        let started = Date()
        var options = PrepOptions(columns: dataset.columns)
        options.inputLayer = layer
        options.qc.keep = keep.flatMap(keepFilter)
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
        let flavor = HVGFlavor(rawValue: hvgFlavor)!
        if let hvg {
            options.hvg = HVGOptions(flavor: flavor, selection: .top(hvg), bins: hvgBins, span: hvgSpan)
        } else if hvgCutoffs {
            options.hvg = HVGOptions(flavor: flavor, selection: .cutoffs(HVGCutoffs(minMean: minMean, maxMean: maxMean,
                                                                                    minDispersion: minDisp, maxDispersion: maxDisp)),
                                     bins: hvgBins, span: hvgSpan)
        }
        options.hvgBatchColumn = batchKey
        options.hvgLayer = hvgLayer
        options.subsetToHVG = !noSubset
        options.keepTargets = keepTargets
        if let split { options.split = try Split.read(from: split) }

        // Every layer and obsm array travels to the output; uns is not carried over.
        let data = try AnnData.readWithAllLayers(path: input, progress: runOptions.progress("reading", unit: "entries"))
        let (result, report) = try Preprocessing.run(data, options: options, path: input)
        try result.write(to: output, options: WriteOptions(gzipLevel: gzip > 0 ? min(gzip, 9) : nil))
        let summaryPath = summary ?? output + ".prep.json"
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try AtomicFile.write(try encoder.encode(report), to: summaryPath)
        let manifestPath = output + ".manifest.json"
        try Manifest.make(command: CommandLine.arguments, inputPaths: [input] + (split.map { [$0] } ?? []),
                          splitHash: options.split?.contentHash, started: started,
                          outputs: [output, summaryPath]).write(to: manifestPath)
        note(report.text + "\nwrote \(output), \(summaryPath), \(manifestPath)", quiet: runOptions.quiet)
    }

    /// `COLUMN=V1,V2` as a column and its values.
    func keepFilter(_ text: String) -> (column: String, values: [String])? {
        let parts = text.split(separator: "=", maxSplits: 1).map(String.init)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { return nil }
        return (parts[0], parts[1].split(separator: ",").map(String.init))
    }
}
