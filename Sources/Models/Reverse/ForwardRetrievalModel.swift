import Foundation
import LinearAlgebra
import PerturbData
import Statistics

/// `forward-retrieval` (route A): a registered forward model predicts the delta of every candidate
/// perturbation in the query's context — every gene it can represent and every training target, and with
/// `pairs=seen` every pair of training single targets (`pairs=FILE`: every pair of the listed genes) — and
/// candidates are ranked by the similarity of their predicted delta to the observed one over the unmasked
/// genes (candidates outside the evaluation's universe are skipped). A gene's score is the best score of a candidate containing it. The only route that can name
/// a target never seen perturbed.
public struct ForwardRetrievalModel: ReverseModel {
    public static let name = "forward-retrieval"
    public static let summary = "rank candidates by how close a forward model's predicted delta comes to the query"
    public static let hyperparameterHelp = [
        "forward": "forward model (default linear-pca; any of perturb fit --list)",
        "forward.KEY": "hyperparameter KEY of the forward model",
        "distance": "cosine, pearson, l1 or l2 (default cosine)",
        "pairs": "none, seen (every pair of training single targets) or a file of genes, one per line, whose pairs "
            + "are also scored (default none)",
    ]
    private let forwardName: String
    private let forwardParameters: Hyperparameters
    private let distance: String
    private let pairs: String
    private let pairGenes: [String]?
    private var forward: (any ForwardModel)?
    private var candidates: [String] = []

    public init(hyperparameters h: Hyperparameters) throws {
        var own: [String: String] = [:], inner: [String: String] = [:]
        for (key, value) in h.values {
            if key.hasPrefix("forward.") { inner[String(key.dropFirst("forward.".count))] = value } else { own[key] = value }
        }
        try Hyperparameters(own).check(known: Self.hyperparameterHelp, model: Self.name)
        forwardName = h.string("forward") ?? LinearPCAModel.name
        forwardParameters = Hyperparameters(inner)
        _ = try forwardModels.make(forwardName, hyperparameters: forwardParameters)
        distance = try h.choice("distance", default: "cosine", among: ["cosine", "pearson", "l1", "l2"], model: Self.name)
        pairs = h.string("pairs") ?? "none"
        if pairs == "none" || pairs == "seen" {
            pairGenes = nil
        } else {
            guard let text = try? String(contentsOfFile: pairs, encoding: .utf8) else {
                throw ModelError.invalidHyperparameter(
                    model: Self.name, key: "pairs", value: pairs,
                    expected: "none, seen, or a readable file of genes (one per line)")
            }
            pairGenes = Set(
                text.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
                    .filter { !$0.isEmpty }
            ).sorted()
        }
    }

    public func searchGrid() -> [String: [String]] { ["distance": ["cosine", "pearson", "l2"]] }

    public mutating func fit(_ training: ReverseTraining) throws {
        // The forward model is fit as `perturb fit` would, with the run's seed.
        let model = try ForwardFitting.fitModel(
            forwardName, hyperparameters: forwardParameters, train: training.data,
            validation: nil, context: FitContext(seed: training.seed, progress: training.progress)
        ).model
        let labeling = training.data.labeling
        let trained = training.data.perturbationLabels
        var singles = Set(trained.flatMap { labeling.members(of: $0) })
        singles.formUnion(model.representableTargets())
        if let universe = training.universe { singles.formIntersection(universe) }
        var list = singles.sorted()
        if pairs != "none" {
            let pool = (pairGenes ?? trained.filter { !labeling.isCombination($0) })
                .filter { training.universe?.contains($0) != false }.sorted()
            for (i, a) in pool.enumerated() { for b in pool[(i + 1)...] { list.append(a + "+" + b) } }
        }
        candidates = list
        forward = model
    }

    public func scores(_ profiles: TargetProfiles) throws -> [[String: Double]] {
        guard let forward else { throw ModelError.notFitted(model: Self.name) }
        var byContext: [CellContext: Matrix<Double>] = [:]
        for context in Set(profiles.conditions.map { CellContext($0) }) {
            let rows = try candidates.map { label -> [Double] in
                let delta = try forward.predictDelta(Condition(perturbation: label, cellType: context.cellType, batch: context.batch))
                return profiles.featureGenes.map { delta[$0] }
            }
            byContext[context] = Matrix(rowArrays: rows)
        }
        let members = candidates.map { $0.split(separator: "+").map(String.init) }
        let similarity = Self.similarity(distance)
        return (0..<profiles.count).map { q in
            let predicted = byContext[CellContext(profiles.conditions[q])]!
            let observed = profiles.values.row(q)
            var scores: [String: Double] = [:]
            for (c, genes) in members.enumerated() {
                let s = similarity(observed, predicted.row(c))
                for gene in genes where scores[gene].map({ s > $0 }) ?? true { scores[gene] = s }
            }
            return scores
        }
    }

    /// Similarity (higher is closer) of an observed and a predicted delta.
    static func similarity(_ kind: String) -> @Sendable ([Double], [Double]) -> Double {
        switch kind {
        case "pearson": return { a, b in cosineSimilarity(centred(a), centred(b)) }
        case "l1": return { a, b in -zip(a, b).reduce(0) { $0 + abs($1.0 - $1.1) } }
        case "l2": return { a, b in -zip(a, b).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }.squareRoot() }
        default: return { a, b in cosineSimilarity(a, b) }
        }
    }

    static func centred(_ x: [Double]) -> [Double] {
        let mean = x.reduce(0, +) / Double(max(x.count, 1))
        return x.map { $0 - mean }
    }
}
