/// Parameters of the built-in perturbation simulator. Defaults give the demo dataset.
public struct SimulationConfig: Sendable, Codable, Equatable {
    /// Number of single-gene perturbations.
    public var perturbations = 60
    /// Number of double perturbations `A+B` drawn from pairs of the singles.
    public var doubles = 0
    /// Cells per perturbation (per single and per double).
    public var cellsPerPerturbation = 150
    /// Control cells; nil means twice the cells of one perturbation, at least 300.
    public var controlCells: Int? = nil
    /// Number of genes.
    public var genes = 2000
    /// Number of co-regulated gene modules.
    public var modules = 20
    /// Genes per module.
    public var moduleSize = 25
    /// Number of cell types, each with its own baseline and effect strengths.
    public var cellTypes = 1
    /// Number of batches, each with a small baseline shift.
    public var batches = 1
    /// Median library size (UMIs per cell).
    public var librarySize = 4000.0
    /// Share of singles whose module effects are near-null (only the target is knocked down).
    public var nullFraction = 0.15
    /// Share of doubles that get an interaction term beyond the sum of their members.
    public var interactionFraction = 0.5
    /// Seed of every random choice.
    public var seed: UInt64 = 0
    /// Label of control cells.
    public var controlLabel = DatasetColumns.defaultControl
    /// obs column holding the perturbation label.
    public var perturbationColumn = DatasetColumns.defaultPerturbation

    public init() {}

    /// Number of control cells actually simulated.
    public var effectiveControlCells: Int { controlCells ?? max(300, 2 * cellsPerPerturbation) }

    /// Genes per module actually used (a module cannot exceed the genes).
    public var effectiveModuleSize: Int { min(moduleSize, genes) }

    /// Checks that the parameters make a dataset.
    public func validate() throws {
        func fail(_ why: String) -> SimulationError { .invalidConfig(why) }
        guard perturbations >= 1 else { throw fail("--perturbations must be at least 1") }
        guard genes >= 10 else { throw fail("--genes must be at least 10") }
        guard perturbations <= genes / 2 else { throw fail("--perturbations must be at most half of --genes (\(genes / 2))") }
        guard cellsPerPerturbation >= 1, effectiveControlCells >= 1 else { throw fail("cell counts must be positive") }
        guard doubles >= 0, doubles <= perturbations * (perturbations - 1) / 2 else {
            throw fail("--doubles must be between 0 and \(perturbations * (perturbations - 1) / 2) for \(perturbations) singles")
        }
        guard modules >= 1, moduleSize >= 1 else { throw fail("--modules and --module-size must be at least 1") }
        guard cellTypes >= 1, batches >= 1 else { throw fail("--cell-types and --batches must be at least 1") }
        guard librarySize > 0 else { throw fail("--library-size must be positive") }
        guard (0...1).contains(nullFraction), (0...1).contains(interactionFraction) else {
            throw fail("fractions must lie in [0, 1]")
        }
    }
}

/// Invalid simulator parameters.
public enum SimulationError: Error, Equatable, CustomStringConvertible {
    case invalidConfig(String)

    public var description: String {
        switch self {
        case .invalidConfig(let why): return "invalid simulation: \(why)"
        }
    }
}
