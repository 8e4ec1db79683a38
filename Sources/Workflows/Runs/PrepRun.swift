import AnnData
import Foundation
import PerturbData
import Support

/// `perturb prep` as one job: read every layer of the input, run QC, normalization and HVG selection (fit on a
/// split's training cells when one is given), write the prepared `.h5ad`, the summary JSON and the manifest.
public struct PrepRun: Sendable {
    /// Input and output `.h5ad` files.
    public var input: String, output: String
    /// What to run.
    public var options: PrepOptions
    /// Split JSON whose training cells the normalization and HVGs are fit on (read into `options.split`).
    public var split: String?
    /// Summary JSON path (default: OUTPUT.prep.json).
    public var summary: String?
    /// gzip level of the output arrays (0: none).
    public var gzip: Int
    /// A guide-count `.h5ad` whose assignment gives the perturbation labels (`GuideAssignment`), or nil.
    public var guideCounts: (path: String, assignment: GuideAssignment)?

    public init(input: String, output: String, options: PrepOptions, split: String? = nil, summary: String? = nil, gzip: Int = 4) {
        self.input = input; self.output = output; self.options = options; self.split = split; self.summary = summary
        self.gzip = gzip
    }

    /// Runs the job; returns the report and the paths written (output, summary, manifest).
    @discardableResult
    public func run(recorder: RunRecorder = RunRecorder(), progress: ProgressHandler? = nil) throws
        -> (report: PrepSummary, written: [String])
    {
        var options = self.options
        if let split {
            options.split = try Split.read(from: split)
            options.splitName = split
        }
        if let guides = guideCounts {
            options.guides = (try AnnData.read(path: guides.path), guides.path, guides.assignment)
        }
        // Every layer and obsm array travels to the output; uns is not carried over.
        let data = try AnnData.readWithAllLayers(path: input, progress: progress)
        let (result, report) = try Preprocessing.run(data, options: options, path: input)
        try result.write(to: output, options: WriteOptions(gzipLevel: gzip > 0 ? min(gzip, 9) : nil))
        let summaryPath = summary ?? output + ".prep.json"
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try AtomicFile.write(try encoder.encode(report), to: summaryPath)
        let manifestPath = output + ".manifest.json"
        try recorder.finish(
            at: manifestPath, inputPaths: [input] + (split.map { [$0] } ?? []) + (guideCounts.map { [$0.path] } ?? []),
            splitHash: options.split?.contentHash, outputs: [output, summaryPath])
        return (report, [output, summaryPath, manifestPath])
    }
}
