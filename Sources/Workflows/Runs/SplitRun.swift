import AnnData
import Foundation
import PerturbData
import Support

/// `perturb split` as one job: make a split of a file's cells with a strategy and seed, check it, write the
/// split JSON (and, when asked, train/val/test `.h5ad` files) and the manifest; or check a saved split.
public struct SplitRun: Sendable {
    /// The `.h5ad` file to split.
    public var data: String
    public var columns: DatasetColumns
    public var strategy: SplitStrategy
    public var seed: UInt64
    /// Split JSON to write.
    public var output: String
    /// Directory for train.h5ad, val.h5ad and test.h5ad, if wanted.
    public var partsDirectory: String?

    public init(
        data: String, columns: DatasetColumns, strategy: SplitStrategy, seed: UInt64, output: String,
        partsDirectory: String? = nil
    ) {
        self.data = data; self.columns = columns; self.strategy = strategy; self.seed = seed; self.output = output
        self.partsDirectory = partsDirectory
    }

    /// Makes, checks and writes the split; returns it with its check report and the files written.
    @discardableResult
    public func run(recorder: RunRecorder = RunRecorder(), progress: ProgressHandler? = nil) throws
        -> (split: Split, report: SplitCheckReport, written: [String])
    {
        let obs = try AnnData.read(path: data, options: ReadOptions(matrix: nil, obsm: false)).obs
        let cells = try SplitCells(obs: obs, columns: columns, path: data)
        let (split, report) = try Split.makeChecked(cells, strategy: strategy, seed: seed, name: "(new split)")
        try split.write(to: output)
        var outputs = [output]
        if let partsDirectory {
            outputs += try Self.writeParts(split, cells: cells, data: data, directory: partsDirectory, progress: progress)
        }
        try recorder.finish(
            at: output + ".manifest.json", inputPaths: [data], splitHash: split.contentHash, seed: seed,
            outputs: outputs)
        return (split, report, outputs)
    }

    /// Checks the saved split at `path` against `data`; a failed check is an error listing the problems.
    public static func check(_ path: String, data: String) throws -> (split: Split, report: SplitCheckReport) {
        let split = try Split.read(from: path)
        let obs = try AnnData.read(path: data, options: ReadOptions(matrix: nil, obsm: false)).obs
        let cells = try SplitCells(obs: obs, columns: split.columns.datasetColumns, path: data)
        return (split, try split.checked(against: cells, name: path))
    }

    /// train.h5ad, val.h5ad and test.h5ad with every field of the input for each part's cells.
    static func writeParts(_ split: Split, cells: SplitCells, data: String, directory: String, progress: ProgressHandler?) throws
        -> [String]
    {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let full = try AnnData.readWithAllLayers(path: data, progress: progress)
        let member = try split.membership(of: cells)
        var written: [String] = []
        for (p, name) in Split.partNames.enumerated() {
            let path = (directory as NSString).appendingPathComponent("\(name).h5ad")
            try full.selectingCells(member.indices.filter { member[$0] == p }).write(to: path, options: WriteOptions(gzipLevel: 4))
            written.append(path)
        }
        return written
    }
}
