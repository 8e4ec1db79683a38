import AnnData
import Foundation
import PerturbData
import Support

/// `perturb simulate` as one job: simulate a screen with known truth, optionally log1p its X, write the `.h5ad`
/// (truth in `uns`), the module-membership features when asked, and the manifest.
public struct SimulateRun: Sendable {
    public var config: SimulationConfig
    /// Store log1p-normalized X (counts in `layers/counts`).
    public var log1p: Bool
    /// Output `.h5ad` file and, optionally, the gene → module features CSV.
    public var output: String
    public var geneFeatures: String?
    /// gzip level of the output arrays (0: none).
    public var gzip: Int

    public init(config: SimulationConfig, log1p: Bool = false, output: String, geneFeatures: String? = nil, gzip: Int = 4) {
        self.config = config; self.log1p = log1p; self.output = output; self.geneFeatures = geneFeatures; self.gzip = gzip
    }

    /// Runs the job; returns the simulation and the manifest's path.
    @discardableResult
    public func run(recorder: RunRecorder = RunRecorder(), threads: Int = defaultThreadCount(), progress: ProgressHandler? = nil)
        throws -> (simulation: Simulation, manifest: String)
    {
        var simulation = try Simulator.run(config, threads: threads, progress: progress)
        if log1p { simulation = simulation.withLog1pX() }
        try simulation.data.write(to: output, options: WriteOptions(gzipLevel: gzip > 0 ? min(gzip, 9) : nil))
        var outputs = [output]
        if let geneFeatures {
            try AtomicFile.write(Data(simulation.moduleMembershipCSV().utf8), to: geneFeatures)
            outputs.append(geneFeatures)
        }
        let manifestPath = output + ".manifest.json"
        try recorder.finish(at: manifestPath, inputPaths: [], seed: config.seed, outputs: outputs)
        return (simulation, manifestPath)
    }
}
