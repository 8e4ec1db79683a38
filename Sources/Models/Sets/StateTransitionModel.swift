import Foundation
import LinearAlgebra
import Neural
import PerturbData
import Support

/// `state-transition` (after Arc's STATE transition model): maps a *set* of control cells plus a perturbation to a
/// set of perturbed cells with a transformer across the cells of the set (`StateTransitionNetwork`), trained on
/// sets (`SetSampler`) with a distribution loss between predicted and observed sets — MMD² by default (energy or
/// Gaussian kernel), or the seed study's composite (`loss=composite`: 0.60 SW1 + 0.25 ProtoInfoNCE + 0.10 DE-rank +
/// 0.05 DE-direction, the DE map being each training condition's top `de_genes` genes by |Welch t| against its
/// matched controls). By default (`space=pca`) the model reads, shifts and compares cells on the training cells'
/// top principal axes; the genes off those axes keep their control values. Early stopping on the validation part's
/// energy MMD between predicted and observed sets. It predicts sets (`predictSet`): the matched control cells, in sets
/// of `set_size`, through the network; the shared generator makes count cells from them.
public struct StateTransitionModel: ForwardModel {
    public static let name = "state-transition"
    public static let summary =
        "set transformer: control set + perturbation → perturbed set, trained on MMD (or the seed study's composite)"
    public static let ownHelp: [String: String] = [
        "set_size": "cells per training set, and per predicted set (default 64)",
        "sets_per_step": "sets (conditions) per optimizer step (default 8)",
        "replacement": "draw a set's cells with replacement even when a condition has enough: true or false (default false)",
        "heads": "attention heads (default 4; must divide hidden)",
        "loss": "mmd (default) or composite (0.60 SW1 + 0.25 ProtoInfoNCE + 0.10 DE-rank + 0.05 DE-direction)",
        "kernel": "MMD kernel: energy (default) or gaussian (bandwidths 0.5, 1, 2, 4 × the median distance scale 1)",
        "steps_per_epoch":
            "optimizer steps per epoch (default: as many as draw the training part's perturbed cells once, training cells / (set_size × sets_per_step), at least 10)",
        "de_genes": "genes per training condition in the DE map of the composite loss (default 20)",
        "projections": "random directions of the sliced Wasserstein term (default 64)",
        "space": "pca (default: cells enter, shift and are compared on the top `components` principal axes of the training cells) or genes",
        "components": "principal axes of the pca space (default 50)",
        "noise": "standard normal inputs per cell, so predicted sets can vary beyond their controls (default 0)",
        "features":
            "perturbation embedding: onehot (default: training members only); loadings (one-hot plus each target gene's loadings on the principal axes, so an unseen target that is a measured gene gets an embedding; needs space=pca); or a CSV table (one-hot plus the members' rows: key, then one number per dimension, e.g. ESM2 or GenePT vectors)",
    ]
    public static var hyperparameterHelp: [String: String] { NeuralSettings.help.merging(ownHelp) { a, _ in a } }
    static let defaults = ["hidden": "128", "layers": "2", "dropout": "0", "epochs": "30", "patience": "5"]

    let settings: NeuralSettings
    let options: SetSampler.Options
    let heads: Int
    let loss: CompositeLoss
    let kernel: DistributionLoss.Kernel
    let stepsPerEpoch: Int?
    let deGenes: Int
    let projections: Int
    /// Principal axes the model works on (nil: every gene).
    let components: Int?
    /// Noise inputs per cell.
    let noise: Int
    /// Where the perturbation embedding comes from: "onehot", "loadings" or a CSV path.
    let features: String
    var fitted: (network: StateTransitionNetwork, encoding: SetConditionEncoding)?
    /// What the last fit did.
    public private(set) var trainingSummary: TrainingSummary?

    public init(hyperparameters: Hyperparameters) throws {
        let h = Hyperparameters(Self.defaults.merging(hyperparameters.values) { _, given in given })
        settings = try NeuralSettings(h, model: Self.name, extra: Self.ownHelp)
        options = SetSampler.Options(
            setSize: try h.int("set_size", default: 64, in: 2...100_000, model: Self.name),
            setsPerStep: try h.int("sets_per_step", default: 8, in: 1...100_000, model: Self.name),
            replacement: try h.choice("replacement", default: "false", among: ["true", "false"], model: Self.name) == "true")
        heads = try h.int("heads", default: 4, in: 1...1024, model: Self.name)
        guard settings.hidden % heads == 0 else {
            throw ModelError.invalidHyperparameter(
                model: Self.name, key: "heads", value: String(heads), expected: "a divisor of hidden (\(settings.hidden))")
        }
        loss = try h.choice("loss", default: "mmd", among: ["mmd", "composite"], model: Self.name) == "mmd" ? .mmdOnly : .seedStudy
        kernel =
            try h.choice("kernel", default: "energy", among: ["energy", "gaussian"], model: Self.name) == "energy"
            ? .energy : .gaussian(bandwidths: [0.5, 1, 2, 4])
        stepsPerEpoch =
            h.string("steps_per_epoch") == nil ? nil : try h.int("steps_per_epoch", default: 10, in: 1...1_000_000, model: Self.name)
        deGenes = try h.int("de_genes", default: 20, in: 1...1_000_000, model: Self.name)
        projections = try h.int("projections", default: 64, in: 1...100_000, model: Self.name)
        components =
            try h.choice("space", default: "pca", among: ["pca", "genes"], model: Self.name) == "pca"
            ? try h.int("components", default: 50, in: 1...100_000, model: Self.name) : nil
        noise = try h.int("noise", default: 0, in: 0...100_000, model: Self.name)
        features = h.string("features") ?? "onehot"
        if features == "loadings" && components == nil {
            throw ModelError.invalidHyperparameter(
                model: Self.name, key: "features", value: features,
                expected: "onehot or a CSV table with space=genes (loadings need space=pca)")
        }
    }

    public init(state: ModelState, hyperparameters: Hyperparameters) throws {
        try self.init(hyperparameters: hyperparameters)
        let inputs = try NeuralInputs(state: state, model: Self.name)
        let table = try state.lists["features_vocabulary"].map { _ in
            try PerturbationFeatures(loading: "features", from: state, model: Self.name)
        }
        let encoding = SetConditionEncoding(inputs: inputs, table: table)
        let basis = try state.arrays["net.basis"].map { try Tensor.zeros($0.shape) }
        let network = try makeNetwork(encoding, basis: basis, seed: settings.seed)
        for (name, tensor) in network.namedParameters {
            guard let saved = state.arrays["net." + name], saved.shape == tensor.shape else {
                throw ModelError.invalidModelDirectory(
                    path: "model \(Self.name)", field: "net." + name, reason: "expected a parameter of shape \(tensor.shape)")
            }
            try tensor.assign(Tensor(saved.values.map { Float($0) }, shape: saved.shape))
        }
        fitted = (network, encoding)
    }

    func makeNetwork(_ encoding: SetConditionEncoding, basis: Tensor?, seed: UInt64) throws -> StateTransitionNetwork {
        try StateTransitionNetwork(
            genes: encoding.inputs.geneCount, members: encoding.perturbationWidth, covariateWidth: encoding.inputs.covariateWidth,
            hidden: settings.hidden, blocks: settings.layers, heads: heads, dropout: settings.dropout, basis: basis,
            noise: noise, generator: Generator(seed: seed))
    }

    public mutating func fit(_ train: PerturbationDataset, validation: PerturbationDataset?, context: FitContext) throws {
        let train = train.normalizedLog1p()
        if let threads = settings.threads ?? context.threads { try Torch.setThreads(threads) }
        let (network, encoding, summary) = try Torch.withDevice(context.device, precision: context.precision) {
            let seed = context.seed
            let inputs = try NeuralInputs(train, referenceCells: settings.referenceCells, seed: seed)
            let sampler = try SetSampler(train, options: options, model: Self.name)
            let basis = try components.map { try Self.principalAxes(train, components: $0, seed: seed) }
            let table: PerturbationFeatures? =
                switch features {
                case "onehot": nil
                case "loadings": try SetConditionEncoding.loadings(basis: basis!, genes: train.genes)
                default: try PerturbationFeatures.readTable(path: features)
                }
            let encoding = SetConditionEncoding(inputs: inputs, table: table)
            let network = try makeNetwork(encoding, basis: basis, seed: seed)
            let optimizer = try settings.optimizer(network.trainable)
            let generator = try Generator(seed: seed ^ 0x5E7)
            let deMaps = loss.deRank != 0 || loss.deDirection != 0 ? Self.deMaps(train, sampler, genes: deGenes) : [:]
            // An epoch draws about as many cells as the training part's perturbed cells, as a per-cell model's epoch
            // does (one set per condition per epoch left 500-cell conditions under-trained: docs/RESULTS.md).
            let perturbedCells = sampler.conditions.reduce(0) { $0 + sampler.cellsOf[$1]!.count }
            let perStep = options.setSize * options.setsPerStep
            let steps = stepsPerEpoch ?? max(10, (perturbedCells + perStep - 1) / perStep)
            let space = try basis.map { try $0.transposed() }  // genes × k: cells are compared on their coordinates
            let check = try validation.flatMap {
                try SetValidation($0.normalizedLog1p(), trainingControls: train, options: options, space: space)
            }
            let (loss, kernel, clip, projections) = (self.loss, self.kernel, settings.clipNorm, self.projections)
            let summary = try Trainer.run(
                TrainingOptions(
                    epochs: settings.epochs, patience: settings.patience, checkpoint: settings.checkpoint, label: Self.name,
                    log: context.progress),
                parameters: network.namedParameters,
                batches: { _ in steps },
                step: { epoch, b in
                    var rng = SeededRandom(seed: seed, stream: UInt64(epoch) &* 1_000_003 &+ UInt64(b))
                    let pairs = sampler.step(&rng)
                    var predicted: [Tensor] = [], observed: [Tensor] = [], predictedDeltas: [Tensor] = [], observedDeltas: [Tensor] = []
                    var maps: [Float] = [], signs: [Float] = []
                    for pair in pairs {
                        let controls = try Self.rows(train.expression, pair.controls)
                        let target = try Self.rows(train.expression, pair.cells)
                        let out = try network(
                            controls: controls, condition: pair.condition, encoding: encoding, training: true, generator: generator)
                        predicted.append(try space.map { try out.matmul($0) } ?? out)
                        observed.append(try space.map { try target.matmul($0) } ?? target)
                        let controlMean = try controls.mean(dim: 0, keepingDimension: true)
                        predictedDeltas.append(try out.mean(dim: 0, keepingDimension: true) - controlMean)
                        observedDeltas.append(try target.mean(dim: 0, keepingDimension: true) - controlMean)
                        let map =
                            deMaps[pair.condition] ?? (
                                Array(repeating: 0, count: inputs.geneCount), Array(repeating: 0, count: inputs.geneCount)
                            )
                        maps += map.0
                        signs += map.1
                    }
                    let c = pairs.count, g = inputs.geneCount
                    let batch = CompositeLoss.Batch(
                        predictedSets: predicted, observedSets: observed, predictedDeltas: try Tensor.cat(predictedDeltas, dim: 0),
                        observedDeltas: try Tensor.cat(observedDeltas, dim: 0), deMap: try Tensor(maps, shape: [c, g]),
                        deSigns: try Tensor(signs, shape: [c, g]), kernel: kernel,
                        directions: try DistributionLoss.directions(
                            dimension: predicted[0].shape[1], count: projections, generator: generator))
                    let value = try loss(batch)
                    try optimizer.minimize(value, clip: clip)
                    return StepResult(loss: Double(try value.item()), cells: c * options.setSize)
                },
                validate: check.map { v in { try Torch.withoutGradients { try v.score(network, encoding) } } })
            for (_, tensor) in network.namedParameters { try tensor.move(to: .cpu) }
            return (network, encoding, summary)
        }
        fitted = (network, encoding)
        trainingSummary = summary
    }

    /// The top `components` principal axes (components × genes, orthonormal rows) of up to 5,000 training cells:
    /// the space the model reads, shifts and compares cells in, where a set's structured shift is not drowned by
    /// per-gene noise as it is across all genes.
    static func principalAxes(_ train: PerturbationDataset, components: Int, seed: UInt64) throws -> Tensor {
        var rng = SeededRandom(seed: seed, stream: 0x9CA)
        let rows = Array(rng.permutation(train.cellCount).prefix(5000)).sorted()
        let axes = PCA.fit(train.expression, rows: rows, components: components, seed: seed).components
        return try Tensor(axes.storage.map { Float($0) }, shape: [axes.rows, axes.columns])
    }

    /// Dense float rows of `x` as a tensor.
    static func rows(_ x: CSRMatrix, _ rows: [Int]) throws -> Tensor {
        try Tensor(x.selectingRows(rows).toDense().storage, shape: [rows.count, x.columns])
    }

    /// Each training condition's DE map: its top `genes` genes by |Welch t| against its matched controls (1), with the
    /// sign of the change.
    static func deMaps(_ train: PerturbationDataset, _ sampler: SetSampler, genes: Int) -> [Condition: ([Float], [Float])] {
        var out: [Condition: ([Float], [Float])] = [:]
        for condition in sampler.conditions {
            let cells = sampler.cellsOf[condition]!, controls = sampler.controlsOf[condition]!
            let a = train.expression.columnMeanAndVariance(rows: cells), b = train.expression.columnMeanAndVariance(rows: controls)
            let t = (0..<train.geneCount).map { j -> Double in
                let se = (a.variance[j] / Double(cells.count) + b.variance[j] / Double(controls.count)).squareRoot()
                let value = (a.mean[j] - b.mean[j]) / se
                return value.isFinite ? abs(value) : 0
            }
            var map = [Float](repeating: 0, count: train.geneCount), signs = map
            for j in t.indices.sorted(by: { t[$0] > t[$1] || (t[$0] == t[$1] && $0 < $1) }).prefix(genes) where t[j] > 0 {
                map[j] = 1
                signs[j] = a.mean[j] >= b.mean[j] ? 1 : -1
            }
            out[condition] = (map, signs)
        }
        return out
    }

    /// The mean change the network predicts for the reference control cells of the condition's context.
    public func predictDelta(_ condition: Condition) throws -> [Double] {
        guard let (network, encoding) = fitted else { throw ModelError.notFitted(model: Self.name) }
        let (cells, mean) = encoding.inputs.reference(CellContext(condition))
        let predicted = try Torch.withoutGradients {
            try network(
                controls: Tensor(cells.storage, shape: [cells.rows, cells.columns]), condition: condition, encoding: encoding,
                training: false, generator: Generator(seed: settings.seed ^ 0xDE17A)
            ).mean(dim: 0).floats()
        }
        return zip(predicted, mean).map { Double($0) - $1 }
    }

    /// The predicted set: the matched control cells `sources`, in sets of `set_size`, through the network. The
    /// shared generator turns it into cells (`resample`: count cells with the set's mean delta and each cell's
    /// response strength; `shift`: these rows, clipped at 0).
    public func predictSet(_ condition: Condition, sources: CSRMatrix, seed: UInt64) throws -> Matrix<Float>? {
        guard let (network, encoding) = fitted else { throw ModelError.notFitted(model: Self.name) }
        var values: [Float] = []
        let perturbation = try rowTensor(encoding.perturbation(condition.perturbation))
        let covariates = try rowTensor(encoding.covariates(CellContext(condition)))
        let generator = try Generator(seed: seed)
        try Torch.withoutGradients {
            var start = 0
            while start < sources.rows {
                let rows = Array(start..<min(start + options.setSize, sources.rows))
                let out = try network(
                    controls: Self.rows(sources, rows), perturbation: perturbation, covariates: covariates, training: false,
                    generator: generator)
                values += try out.floats()
                start += options.setSize
            }
        }
        return Matrix(rows: sources.rows, columns: sources.columns, storage: values)
    }

    /// The feature table's keys (a table, or every gene with `features=loadings`): targets it embeds unseen.
    public func representableTargets() -> [String] { fitted?.encoding.table?.vocabulary ?? [] }

    public func state() throws -> ModelState {
        guard let (network, encoding) = fitted else { throw ModelError.notFitted(model: Self.name) }
        var s = ModelState()
        encoding.inputs.save(into: &s)
        encoding.table?.save("features", into: &s)
        for (name, tensor) in network.namedParameters {
            s.arrays["net." + name] = ModelState.Parameter(shape: tensor.shape, values: try tensor.floats().map { Double($0) })
        }
        return s
    }
}

/// Early stopping for set models: every condition of the validation part, up to 512 of its cells against as many
/// predicted cells from matched controls (the validation part's, else the training part's), predicted in sets of
/// `set_size` as at prediction time; the score is minus the mean energy MMD² in the loss space, so higher is better.
/// All of a condition's cells, not one training-size set: the MMD² of two samples has a floor that shrinks with
/// their size, and at 64 cells it hid the differences between epochs (docs/RESULTS.md). Drawn once, from a fixed seed.
struct SetValidation {
    /// Per condition: its matched controls in chunks of `set_size` (the sets the network sees) and its observed cells.
    let sets: [(condition: Condition, controls: [Tensor], observed: Tensor)]
    let space: Tensor?
    /// Cells per condition at most.
    static let cellsPerCondition = 512

    init?(
        _ validation: PerturbationDataset, trainingControls train: PerturbationDataset, options: SetSampler.Options, space: Tensor?
    ) throws {
        self.space = space
        guard validation.cellCount > validation.controlCells.count else { return nil }
        let controlsFrom = validation.controlCells.isEmpty ? train : validation
        var rng = SeededRandom(seed: 0x5E7_0A11)
        let pool = CellContext.controlCells(of: controlsFrom)
        var out: [(Condition, [Tensor], Tensor)] = []
        let conditions = validation.groups.cellsByCondition.filter { $0.key.perturbation != validation.controlLabel }
        for (condition, cells) in conditions.sorted(by: { $0.key < $1.key }) {
            guard let controls = ConditionDeltas.lookup(pool, CellContext(condition)), !cells.isEmpty else { continue }
            let n = min(Self.cellsPerCondition, cells.count)
            let pickedCells = rng.permutation(cells.count).prefix(n).map { cells[$0] }
            let pickedControls = (0..<n).map { _ in controls[rng.index(controls.count)] }
            let chunks = try stride(from: 0, to: n, by: options.setSize).map {
                try StateTransitionModel.rows(controlsFrom.expression, Array(pickedControls[$0..<min($0 + options.setSize, n)]))
            }
            out.append((condition, chunks, try StateTransitionModel.rows(validation.expression, pickedCells)))
        }
        guard !out.isEmpty else { return nil }
        sets = out
    }

    func score(_ network: StateTransitionNetwork, _ encoding: SetConditionEncoding) throws -> Double {
        var total = 0.0
        let generator = try Generator(seed: 0x5E7_0A11)
        for (condition, controls, observed) in sets {
            let predicted = try Tensor.cat(
                controls.map { try network(controls: $0, condition: condition, encoding: encoding, training: false, generator: generator) },
                dim: 0)
            let p = try space.map { try predicted.matmul($0) } ?? predicted, o = try space.map { try observed.matmul($0) } ?? observed
            total += Double(try DistributionLoss.mmd(p, o, kernel: .energy).item())
        }
        return -total / Double(sets.count)
    }
}
