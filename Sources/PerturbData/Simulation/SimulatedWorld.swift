import AnnData
import Foundation
import LinearAlgebra
import Support

/// The fixed parameters of a simulated experiment: genes, modules, covariate shifts and perturbation effects.
struct World: Sendable {
    let geneNames: [String]
    /// Baseline log expression share of each gene (before normalization).
    let baseline: [Double]
    /// Inverse dispersion of each gene.
    let theta: [Double]
    /// Baseline shift per cell type and gene.
    let cellTypeShift: [[Double]]
    /// Baseline shift per batch and gene.
    let batchShift: [[Double]]
    /// Effect strength of each perturbation in each cell type (1 in the first).
    let cellTypeStrength: [[Double]]
    /// Members (indices into the singles) of each perturbation; singles first.
    let members: [[Int]]
    /// Effect of each single at full strength, and the interaction of each double (zero for singles).
    let singleEffect: [[Double]]
    let interaction: [[Double]]
    /// Penetrance of each single.
    let penetrance: [Double]
    let labels: [String]
    let librarySize: Double
    /// Member genes of each module (the simulated pathways).
    let moduleGenes: [[Int]]

    init(config: SimulationConfig, rng: inout SeededRandom) {
        let g = config.genes
        let width = max(4, String(g).count)
        let geneNames = (1...g).map { "G" + String(repeating: "0", count: max(0, width - String($0).count)) + String($0) }
        self.geneNames = geneNames
        let baseline = (0..<g).map { _ in rng.normal(mean: 0, sd: 1.3) }
        self.baseline = baseline
        theta = (0..<g).map { _ in min(100, max(0.5, exp(rng.normal(mean: log(5), sd: 0.5)))) }
        cellTypeShift = (0..<config.cellTypes).map { t in
            (0..<g).map { _ in t == 0 ? 0 : (rng.uniform() < 0.3 ? rng.normal(mean: 0, sd: 0.6) : 0) }
        }
        batchShift = (0..<config.batches).map { _ in (0..<g).map { _ in rng.normal(mean: 0, sd: 0.15) } }

        // Modules: random gene sets with loadings in [0.5, 1], mostly of one sign.
        var modules: [[(Int, Double)]] = (0..<config.modules).map { _ in
            Array(rng.permutation(g).prefix(config.effectiveModuleSize)).map { gene in
                (gene, rng.uniform(0.5, 1.0) * (rng.uniform() < 0.85 ? 1 : -1))
            }
        }
        // Targets: distinct genes from the better-expressed half, so knockdown is visible.
        let expressed = (0..<g).sorted { baseline[$0] > baseline[$1] }.prefix(max(config.perturbations, g / 2))
        var pool = Array(expressed)
        rng.shuffle(&pool)
        let targets = Array(pool.prefix(config.perturbations)).sorted()

        // Each target drives a home module it belongs to: knocking it down lowers that program. One or two
        // further modules may move either way (effects the target's identity does not predict).
        let homes = targets.map { _ in rng.index(modules.count) }
        for (target, home) in zip(targets, homes) where !modules[home].contains(where: { $0.0 == target }) {
            modules[home].append((target, rng.uniform(0.5, 1.0)))
        }
        var effects: [[Double]] = []
        var penetrances: [Double] = []
        for (target, home) in zip(targets, homes) {
            var effect = [Double](repeating: 0, count: g)
            let nearNull = rng.uniform() < config.nullFraction
            for n in 0..<(1 + rng.index(3)) {
                let module = modules[n == 0 ? home : rng.index(modules.count)]
                let magnitude = nearNull ? rng.uniform(0, 0.05) : min(2, max(0.1, exp(rng.normal(mean: log(0.6), sd: 0.5))))
                let sign: Double = n == 0 ? -1 : (rng.uniform() < 0.5 ? -1 : 1)
                for (gene, loading) in module { effect[gene] += sign * magnitude * loading }
            }
            effect[target] = log(rng.uniform(0.05, 0.35))  // knockdown leaves 5–35 % of the target
            effects.append(effect)
            penetrances.append(rng.uniform(0.5, 1.0))
        }
        singleEffect = effects
        penetrance = penetrances

        // Doubles: distinct pairs of singles, some with an interaction on a random module.
        var pairs: [[Int]] = []
        var seen = Set<[Int]>()
        while pairs.count < config.doubles {
            let a = rng.index(config.perturbations), b = rng.index(config.perturbations)
            guard a != b else { continue }
            let pair = [min(a, b), max(a, b)]
            if seen.insert(pair).inserted { pairs.append(pair) }
        }
        let members = (0..<config.perturbations).map { [$0] } + pairs
        self.members = members
        interaction = members.map { m in
            var extra = [Double](repeating: 0, count: g)
            if m.count > 1, rng.uniform() < config.interactionFraction {
                let magnitude = rng.normal(mean: 0, sd: 0.5)
                for (gene, loading) in modules[rng.index(modules.count)] { extra[gene] += magnitude * loading }
            }
            return extra
        }
        cellTypeStrength = members.map { _ in (0..<config.cellTypes).map { $0 == 0 ? 1 : rng.uniform(0.5, 1.5) } }
        labels = members.map { m in m.map { geneNames[targets[$0]] }.sorted().joined(separator: "+") }
        librarySize = config.librarySize
        moduleGenes = modules.map { $0.map(\.0).sorted() }
    }

    /// Truth per perturbation: full-strength effect in the first cell type.
    var effects: [SimulatedEffect] {
        members.indices.map { p in
            let lfc = (0..<geneNames.count).map { gene in
                members[p].reduce(0) { $0 + singleEffect[$1][gene] } + interaction[p][gene]
            }
            return SimulatedEffect(
                label: labels[p], targets: labels[p].split(separator: "+").map(String.init),
                logFoldChange: lfc, penetrance: members[p].reduce(1) { $0 * penetrance[$1] })
        }
    }

    /// Draws one cell's counts (perturbation −1 for a control); returns its non-zero (gene, count) pairs.
    func sampleCell(perturbation: Int, cellType: Int, batch: Int, rng: inout SeededRandom) -> [(Int32, Float)] {
        let g = geneNames.count
        var logits = [Double](repeating: 0, count: g)
        for gene in 0..<g { logits[gene] = baseline[gene] + cellTypeShift[cellType][gene] + batchShift[batch][gene] }
        if perturbation >= 0 {
            let strength = cellTypeStrength[perturbation][cellType]
            var allResponded = true
            for single in members[perturbation] {
                if rng.uniform() < penetrance[single] {
                    for gene in 0..<g { logits[gene] += strength * singleEffect[single][gene] }
                } else {
                    allResponded = false
                }
            }
            if allResponded, members[perturbation].count > 1 {
                for gene in 0..<g { logits[gene] += strength * interaction[perturbation][gene] }
            }
        }
        let top = logits.max() ?? 0
        var total = 0.0
        for gene in 0..<g { logits[gene] = exp(logits[gene] - top); total += logits[gene] }
        let library = librarySize * exp(rng.normal(mean: 0, sd: 0.35))
        var row: [(Int32, Float)] = []
        for gene in 0..<g {
            let count = rng.negativeBinomial(mean: library * logits[gene] / total, theta: theta[gene])
            if count > 0 { row.append((Int32(gene), Float(count))) }
        }
        return row
    }

    /// The AnnData object: counts in X, categorical obs, gene names, truth in uns.
    func annData(counts: CSRMatrix, cells: CellPlan, config: SimulationConfig) throws -> AnnData {
        let width = String(cells.count).count
        let ids = (0..<cells.count).map { "cell" + String(repeating: "0", count: width - String($0).count) + String($0) }
        var obs = DataFrame(index: ids)
        try obs.setColumn(
            config.perturbationColumn,
            .categorical(
                Categorical(
                    labels: cells.perturbation.map { $0 < 0 ? config.controlLabel : labels[$0] })))
        try obs.setColumn("cell_type", .categorical(Categorical(labels: cells.cellType.map { "type\($0 + 1)" })))
        try obs.setColumn("batch", .categorical(Categorical(labels: cells.batch.map { "batch\($0 + 1)" })))
        var variables = DataFrame(index: geneNames)
        let targetSet = Set(labels.flatMap { $0.split(separator: "+").map(String.init) })
        try variables.setColumn("is_target", .boolean(geneNames.map { targetSet.contains($0) }))
        let truth = effects
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let configJSON = String(decoding: try encoder.encode(config), as: UTF8.self)
        let uns: [String: UnsValue] = [
            Simulator.unsKey: .dictionary([
                "perturbations": .strings(truth.map(\.label)),
                "true_log_fold_change": .array(truth.flatMap(\.logFoldChange), shape: [truth.count, geneNames.count]),
                "penetrance": .array(truth.map(\.penetrance), shape: [truth.count]),
                "config": .string(configJSON),
            ])
        ]
        return AnnData(X: counts, obs: obs, variables: variables, uns: uns)
    }
}

/// Which perturbation, cell type and batch each simulated cell gets: controls first, then each perturbation.
struct CellPlan: Sendable {
    let perturbation: [Int]
    let cellType: [Int]
    let batch: [Int]
    var count: Int { perturbation.count }

    init(config: SimulationConfig, world: World, rng: inout SeededRandom) {
        var perturbation = [Int](repeating: -1, count: config.effectiveControlCells)
        for p in world.members.indices {
            perturbation += [Int](repeating: p, count: config.cellsPerPerturbation)
        }
        self.perturbation = perturbation
        cellType = perturbation.map { _ in rng.index(config.cellTypes) }
        batch = perturbation.map { _ in rng.index(config.batches) }
    }
}
