import AnnData
import Foundation
import LinearAlgebra
import Support

/// The true effect of one simulated perturbation, kept so that models can be checked against it.
public struct SimulatedEffect: Sendable, Equatable {
    /// Canonical label (`G0012`, or `G0003+G0012` for a double).
    public let label: String
    /// Target genes (the members of the label).
    public let targets: [String]
    /// Effect on each gene's log expression share in affected cells (natural log), interaction included.
    public let logFoldChange: [Double]
    /// Probability that a cell carrying the perturbation responds (for a double: that both members do).
    public let penetrance: Double
}

/// A simulated experiment: counts in an AnnData object plus the ground truth.
public struct Simulation: Sendable {
    /// Counts (`X`), obs with perturbation / cell type / batch, truth in `uns["perturbkit_simulation"]`.
    public var data: AnnData
    /// True effects, singles first, then doubles.
    public let effects: [SimulatedEffect]
    /// The parameters used.
    public let config: SimulationConfig
    /// Gene names of each module (the simulated pathways), for prior-knowledge features and relation tests.
    public let modules: [[String]]

    /// A gene-feature table as CSV: one row per gene, one 0/1 column per module membership — the kind of
    /// pathway annotation a feature-based model (`ridge features=…`) can use to reach unseen targets.
    public func moduleMembershipCSV() -> String {
        let names = data.variables.index
        var member = [Set<String>](repeating: [], count: modules.count)
        for (m, genes) in modules.enumerated() { member[m] = Set(genes) }
        var lines = ["gene," + modules.indices.map { "module\($0 + 1)" }.joined(separator: ",")]
        for gene in names { lines.append(gene + "," + member.map { $0.contains(gene) ? "1" : "0" }.joined(separator: ",")) }
        return lines.joined(separator: "\n") + "\n"
    }
}

/// Simulates single-cell CRISPR screens with negative-binomial counts.
///
/// Genes get log-normal baseline shares and gene-specific dispersions; cell types and batches shift the
/// baseline; each perturbation knocks down its target gene (5–35 % left), lowers the target's home module (a
/// gene program the target belongs to) and may shift one or two further modules either way, by heterogeneous
/// amounts (some near zero), in a random fraction of its cells (partial penetrance).
/// Doubles add their members' effects, plus an interaction on a random module for some. Counts are
/// Gamma–Poisson draws around library size × expression share. Every draw comes from the seed, per cell from
/// its own stream, so results do not depend on the thread count.
public enum Simulator {
    /// Key under which the truth is stored in `uns`.
    public static let unsKey = "perturbkit_simulation"

    /// Runs the simulation; `progress` is called with cells done out of the total.
    public static func run(
        _ config: SimulationConfig, threads: Int = defaultThreadCount(),
        progress: ProgressHandler? = nil
    ) throws -> Simulation {
        try config.validate()
        var rng = SeededRandom(seed: config.seed)
        let world = World(config: config, rng: &rng)
        let cells = CellPlan(config: config, world: world, rng: &rng)
        let counter = ProgressCounter(total: cells.count, handler: progress)
        let rows = parallelMap(cells.count, threads: threads) { cell -> [(Int32, Float)] in
            var cellRNG = SeededRandom(seed: config.seed, stream: UInt64(cell) + 1)
            let row = world.sampleCell(
                perturbation: cells.perturbation[cell], cellType: cells.cellType[cell],
                batch: cells.batch[cell], rng: &cellRNG)
            counter.advance()
            return row
        }
        var builder = CSRBuilder(columns: config.genes, expectedNonZeros: rows.reduce(0) { $0 + $1.count })
        for row in rows {
            for (gene, count) in row { builder.append(column: gene, value: count) }
            builder.finishRow()
        }
        let data = try world.annData(counts: builder.build(), cells: cells, config: config)
        return Simulation(
            data: data, effects: world.effects, config: config,
            modules: world.moduleGenes.map { $0.map { world.geneNames[$0] } })
    }
}

/// Counts finished cells across worker threads and reports every 1 %.

extension Simulation {
    /// The same data with log1p-normalized `X` (median library size), raw counts kept in `layers["counts"]`.
    public func withLog1pX() -> Simulation {
        var out = self
        guard let counts = data.X else { return out }
        out.data.layers["counts"] = counts
        out.data.X = Normalization.logNormalize(counts)
        return out
    }
}
