import Foundation
import Support

/// One hyperparameter's range in a search: a list of choices, or a real or integer interval (optionally searched
/// on a log scale). Samplers work in *internal coordinates*: a choice's index, or the value (its logarithm on a
/// log scale).
public enum SearchDimension: Sendable, Equatable {
    case choice([String])
    case real(low: Double, high: Double, log: Bool)
    case integer(low: Int, high: Int, log: Bool)

    /// The interval of the internal coordinate (choices: 0 … count − 1).
    public var bounds: (low: Double, high: Double) {
        switch self {
        case .choice(let values): return (0, Double(values.count - 1))
        case .real(let low, let high, let log): return log ? (Foundation.log(low), Foundation.log(high)) : (low, high)
        case .integer(let low, let high, let log):
            // An integer k covers [k − ½, k + ½) so every integer of the interval is equally likely under a flat prior.
            return log ? (Foundation.log(Double(low) - 0.5), Foundation.log(Double(high) + 0.5)) : (Double(low) - 0.5, Double(high) + 0.5)
        }
    }

    public var isChoice: Bool { if case .choice = self { return true } else { return false } }

    /// The hyperparameter text of an internal coordinate: the choice, the real value to 4 significant digits, or
    /// the nearest integer inside the interval.
    public func text(_ x: Double) -> String {
        switch self {
        case .choice(let values): return values[min(values.count - 1, max(0, Int(x.rounded())))]
        case .real(let low, let high, let log):
            let v = min(high, max(low, log ? exp(x) : x))
            return String(format: "%.4g", v)
        case .integer(let low, let high, let log):
            let v = (log ? exp(x) : x).rounded()
            return String(min(high, max(low, Int(v))))
        }
    }

    /// The internal coordinate of a hyperparameter text (nil when it is not in the range).
    public func coordinate(_ text: String) -> Double? {
        switch self {
        case .choice(let values): return values.firstIndex(of: text).map(Double.init)
        case .real(let low, let high, let log):
            guard let v = Double(text), v >= low, v <= high else { return nil }
            return log ? Foundation.log(v) : v
        case .integer(let low, let high, let log):
            guard let v = Int(text), v >= low, v <= high else { return nil }
            return log ? Foundation.log(Double(v)) : Double(v)
        }
    }

    /// A draw from the flat prior (log-uniform on a log scale).
    public func sample(_ rng: inout SeededRandom) -> Double {
        if case .choice(let values) = self { return Double(rng.index(values.count)) }
        let (low, high) = bounds
        return rng.uniform(low, high)
    }
}

/// A named set of dimensions, in name order.
public struct SearchSpace: Sendable, Equatable {
    public let names: [String]
    public let dimensions: [SearchDimension]

    public init(_ dimensions: [String: SearchDimension]) {
        names = dimensions.keys.sorted()
        self.dimensions = names.map { dimensions[$0]! }
    }

    /// Hyperparameter texts of a point in internal coordinates.
    public func texts(_ point: [Double]) -> [String: String] {
        Dictionary(uniqueKeysWithValues: zip(names, zip(dimensions, point).map { $0.text($1) }))
    }

    /// The point of hyperparameter texts (nil when one is missing or out of range).
    public func point(_ texts: [String: String]) -> [Double]? {
        var out: [Double] = []
        for (name, dimension) in zip(names, dimensions) {
            guard let t = texts[name], let x = dimension.coordinate(t) else { return nil }
            out.append(x)
        }
        return out
    }
}
