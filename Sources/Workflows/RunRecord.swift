import Foundation
import PerturbData
import Support

/// The outcome of one run (dataset × seed × model, × training fraction in a data-scaling benchmark, × skew level with
/// `imbalance`), saved as `done.json` in the run's directory when the
/// run has finished; a run whose record exists (with the same key) is not redone.
public struct RunRecord: Sendable, Codable, Equatable {
    /// Identifies what was run: dataset, seed, model spec, split and profiles. A changed spec reruns.
    public var key: String
    public var dataset: String
    public var seed: UInt64
    public var model: String
    public var modelName: String
    /// The hyperparameters used (after any search).
    public var hyperparameters: [String: String]
    /// Validation score of each search trial (hyperparameters as `k=v` items), when there was a search.
    public var trials: [Trial]
    /// Mean metric value per tier ("all", and each combination tier / "single" of the test part).
    public var metrics: [String: [String: Double]]
    /// Perturbations per tier.
    public var tierSizes: [String: Int]
    /// VCC-style score (cell-eval `score`, mean row of the vcc profile) against each reference model.
    public var scores: [String: Double]
    public var wallSeconds: Double
    /// The nested training subset the model was fit on (data-scaling benchmarks: "0.1", …, "1.0"); nil otherwise.
    public var fraction: String? = nil
    /// The imbalance skew of the training part (benchmarks with `imbalance` levels); nil otherwise.
    public var imbalance: String? = nil

    public struct Trial: Sendable, Codable, Equatable {
        public var hyperparameters: [String]
        public var validation: Double
    }

    static func read(path: String) -> RunRecord? {
        guard let data = try? Data(contentsOf: URL(fileURLWithPath: path)) else { return nil }
        return try? JSONDecoder().decode(RunRecord.self, from: data)
    }

    func write(to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(try encoder.encode(self), to: path)
    }
}
