import Foundation
import Metrics
import Models
import PerturbData
import Statistics
import Support

/// One candidate perturbation of an in-silico screen.
public struct ScreenHit: Sendable {
    public let perturbation: String
    /// Distance from the predicted perturbed source to the target state.
    public let distance: Double
    /// L2 norm of the predicted delta.
    public let deltaNorm: Double
    /// The genes the perturbation moves most (largest |delta|), with their predicted change.
    public let topGenes: [(gene: String, change: Double)]
}

/// How a screen measures closeness to the target: euclidean (l2), l1, or 1 − cosine similarity of the
/// predicted and the needed change.
public enum ScreenDistance: String, Sendable, CaseIterable {
    case l2, l1, cosine
}

/// An in-silico screen: which perturbation of a source state ("disease") brings it closest to a target state
/// ("healthy", or any desired profile)? Each candidate's predicted perturbed source is the source mean plus the
/// forward model's delta, clipped at 0 (log scale), and candidates are ranked by its distance to the target mean.
public struct InSilicoScreen: Sendable {
    public let genes: [String]
    public let source: [Double]
    public let target: [Double]
    public let context: CellContext
    public let distance: ScreenDistance

    /// A screen from mean log expression profiles (one value per gene of the model).
    public init(genes: [String], source: [Double], target: [Double], context: CellContext = CellContext(), distance: ScreenDistance = .l2) {
        precondition(source.count == genes.count && target.count == genes.count, "one value per gene")
        self.genes = genes
        self.source = source
        self.target = target
        self.context = context
        self.distance = distance
    }

    /// The distance of the unperturbed source from the target.
    public var baselineDistance: Double { measure(source) }

    /// Every candidate scored, closest first (ties by label).
    public func rank(_ model: any ForwardModel, candidates: [String], topGeneCount: Int = 5) throws -> [ScreenHit] {
        let hits = try candidates.map { label -> ScreenHit in
            let delta = try model.predictDelta(Condition(perturbation: label, cellType: context.cellType, batch: context.batch))
            let perturbed = zip(source, delta).map { max(0, $0 + $1) }
            let order = delta.indices.sorted { abs(delta[$0]) != abs(delta[$1]) ? abs(delta[$0]) > abs(delta[$1]) : $0 < $1 }
            return ScreenHit(
                perturbation: label, distance: measure(perturbed),
                deltaNorm: delta.reduce(0) { $0 + $1 * $1 }.squareRoot(),
                topGenes: order.prefix(topGeneCount).map { (genes[$0], delta[$0]) })
        }
        return hits.sorted { $0.distance != $1.distance ? $0.distance < $1.distance : $0.perturbation < $1.perturbation }
    }

    func measure(_ state: [Double]) -> Double {
        switch distance {
        case .l1: return zip(state, target).reduce(0) { $0 + abs($1.0 - $1.1) }
        case .cosine:
            let achieved = zip(state, source).map { $0 - $1 }, needed = zip(target, source).map { $0 - $1 }
            return 1 - cosineSimilarity(achieved, needed)
        case .l2: return zip(state, target).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }.squareRoot()
        }
    }

    /// The candidates of a screen: `listed` genes or labels when given, else every training perturbation and every
    /// gene the model can represent; with `pairs`, every pair of the single candidates as well.
    public static func candidates(model: any ForwardModel, trainingPerturbations: [String], listed: [String]?, pairs: Bool) -> [String] {
        let singles = listed ?? Set(trainingPerturbations + model.representableTargets()).sorted()
        guard pairs else { return singles }
        let members = singles.filter { !$0.contains("+") }.sorted()
        var all = singles
        for (i, a) in members.enumerated() { for b in members[(i + 1)...] { all.append(a + "+" + b) } }
        return all
    }

    /// The ranked hits as CSV: rank, perturbation, distance, improvement over the unperturbed source, predicted
    /// delta norm, and the top moved genes (`gene:change;…`).
    public func csv(_ hits: [ScreenHit]) -> String {
        var out = "rank,perturbation,distance,improvement,predicted_delta_norm,top_genes\n"
        let baseline = baselineDistance
        for (i, hit) in hits.enumerated() {
            let moved = hit.topGenes.map { "\($0.gene):" + String(format: "%+.4f", $0.change) }.joined(separator: ";")
            out +=
                [
                    String(i + 1), CSVFormat.text(hit.perturbation), CSVFormat.double(hit.distance),
                    CSVFormat.double(baseline - hit.distance), CSVFormat.double(hit.deltaNorm), CSVFormat.text(moved),
                ]
                .joined(separator: ",") + "\n"
        }
        return out
    }
}
