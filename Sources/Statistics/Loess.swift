import Foundation

/// One-predictor LOESS as Cleveland, Grosse and Shyu's `dloess` computes it with its defaults
/// (`surface = "interpolate"`, `cell = 0.2`, gaussian family) — the smoother behind R's `loess` and
/// scikit-misc's `skmisc.loess.loess`, which scanpy's `seurat_v3` highly-variable-gene flavor calls.
///
/// The fit is not evaluated at every point directly. As `dloess` does, the x range (widened by 0.5 % each
/// side) is cut into a k-d tree whose leaves hold at most `floor(n · span · cell)` points; at every cell
/// boundary (vertex) a local polynomial of `degree` is fit by weighted least squares to the
/// `floor(n · span)` nearest points with tricube weights, keeping its value and slope; fitted values are
/// the cubic Hermite interpolation of those vertex values and slopes. Following the same rules (median
/// split with the tie fix of 2006, the squared-distance radius, weights of exactly zero at the radius)
/// makes the result agree with `dloess` to rounding.
public struct Loess: Sendable {
    /// Fraction of the points in each local neighbourhood.
    public let span: Double
    /// Local polynomial degree (0, 1 or 2).
    public let degree: Int
    /// Cell size of the k-d tree as a fraction of the neighbourhood size.
    public let cell: Double

    /// A smoother with `dloess`'s parameters (defaults: those of `skmisc.loess.loess` with `span = 0.3`,
    /// `degree = 2`).
    public init(span: Double = 0.3, degree: Int = 2, cell: Double = 0.2) {
        precondition(span > 0, "span must be positive")
        precondition((0...2).contains(degree), "degree must be 0, 1 or 2")
        self.span = span
        self.degree = degree
        self.cell = cell
    }

    /// Fitted values at each `x` for the data `(x, y)`.
    public func fittedValues(x: [Double], y: [Double]) throws -> [Double] {
        precondition(x.count == y.count, "one y per x")
        let n = x.count
        let neighbours = min(n, Int((Double(n) * span).rounded(.down)))
        let columns = degree + 1
        guard neighbours > columns else { throw LoessError.tooFewPoints(n: n, neighbours: neighbours, needed: columns + 1) }
        let order = x.indices.sorted { x[$0] < x[$1] }
        let sorted = order.map { x[$0] }
        let tree = KDTree(sorted: sorted, leafSize: Int((Double(n) * (span * cell)).rounded(.down)))
        var value = [Double](repeating: 0, count: tree.vertices.count)
        var slope = value
        for (v, at) in tree.vertices.enumerated() {
            let fit = try localFit(at: at, x: x, y: y, neighbours: neighbours)
            value[v] = fit.value
            slope[v] = fit.slope
        }
        return x.map { tree.interpolate($0, value: value, slope: slope) }
    }

    /// The local polynomial at `q` (ehg127): value and first derivative.
    func localFit(at q: Double, x: [Double], y: [Double], neighbours nf: Int) throws -> (value: Double, slope: Double) {
        let n = x.count
        var distance = [Double](repeating: 0, count: n)
        for i in 0..<n { let d = x[i] - q; distance[i] = d * d }
        let nearest = Array(distance.indices.sorted { distance[$0] < distance[$1] }.prefix(nf))
        let rho = distance[nearest[nf - 1]] * max(1, span)
        guard rho > 0 else { throw LoessError.zeroRadius(at: q) }
        let k = degree + 1
        var design = [Double](repeating: 0, count: nf * k)  // column-major nf × k
        var response = [Double](repeating: 0, count: nf)
        for (row, i) in nearest.enumerated() {
            let r = (distance[i] / rho).squareRoot()
            let t = 1 - r * r * r
            let w = (t * t * t).squareRoot()
            let dx = x[i] - q
            var term = w
            for c in 0..<k { design[c * nf + row] = term; term *= dx }
            response[row] = w * y[i]
        }
        let coefficients = try LeastSquares.solveEquilibrated(design, rows: nf, columns: k, response: response, at: q)
        return (coefficients[0], k > 1 ? coefficients[1] : 0)
    }
}

/// Errors from `Loess`.
public enum LoessError: Error, Equatable, CustomStringConvertible {
    case tooFewPoints(n: Int, neighbours: Int, needed: Int)
    case zeroRadius(at: Double)
    case singular(at: Double)

    public var description: String {
        switch self {
        case .tooFewPoints(let n, let nf, let needed):
            return "LOESS needs at least \(needed) points per neighbourhood; \(n) points give \(nf)"
        case .zeroRadius(let q): return "LOESS neighbourhood at x = \(q) has zero radius (too many identical x values)"
        case .singular(let q): return "LOESS local fit at x = \(q) is singular"
        }
    }
}

/// `dloess`'s k-d tree in one dimension: cells are ranges of the sorted x values, vertices are the widened
/// bounding box ends and the split points.
struct KDTree {
    /// Vertex coordinates (index 0 = lower box end, 1 = upper box end, then split points in creation order).
    var vertices: [Double]
    /// Per cell: split value (nil for a leaf), children, and lower/upper vertex indices.
    var split: [Double?] = []
    var children: [(Int, Int)] = []
    var bounds: [(Int, Int)] = []

    init(sorted x: [Double], leafSize fc: Int) {
        let low = x.first!, high = x.last!
        let margin = 0.005 * max(high - low, 1e-10 * max(abs(low), abs(high)) + 1e-30)
        vertices = [low - margin, high + margin]
        var ranges: [(Int, Int)] = [(0, x.count - 1)]  // inclusive, 0-based positions in `x`
        bounds = [(0, 1)]
        // dloess's workspace limits (nvmax = ncmax = max(200, n)) also stop the splitting.
        let limit = max(200, x.count)
        var p = 0
        while p < ranges.count {
            let (l, u) = ranges[p]
            let (lower, upper) = bounds[p]
            var leaf =
                (u - l + 1) <= fc || vertices[upper] - vertices[lower] <= 0
                || limit < ranges.count + 2 || limit < vertices.count + 1
            var m = (l + u) / 2
            if !leaf {
                m = KDTree.tieFixedMedian(x, l, u, (l + u) / 2)
                leaf = vertices[lower] == x[m] || vertices[upper] == x[m]
            }
            if leaf {
                split.append(nil)
                children.append((-1, -1))
            } else {
                let value = x[m]
                let vertex: Int
                if let existing = vertices.firstIndex(of: value) {
                    vertex = existing
                } else {
                    vertices.append(value)
                    vertex = vertices.count - 1
                }
                split.append(value)
                children.append((ranges.count, ranges.count + 1))
                ranges.append((l, m)); bounds.append((lower, vertex))
                ranges.append((m + 1, u)); bounds.append((vertex, upper))
            }
            p += 1
        }
    }

    /// ehg124's search outward from the median (offsets 0, 1, −1, 2, −2, …) for a position whose value
    /// differs from the next one, so that equal values are not cut apart; the median itself when none does.
    static func tieFixedMedian(_ x: [Double], _ l: Int, _ u: Int, _ m: Int) -> Int {
        var offset = 0
        while m + offset < u && m + offset >= l {
            if x[m + offset] == x[m + offset + 1] {
                offset = -offset
                if offset >= 0 { offset += 1 }
            } else {
                return m + offset
            }
        }
        return m
    }

    /// ehg128 in one dimension: the cubic Hermite interpolant of the leaf cell containing `z`.
    func interpolate(_ z: Double, value: [Double], slope: [Double]) -> Double {
        var cell = 0
        while let s = split[cell] { cell = z <= s ? children[cell].0 : children[cell].1 }
        let (ll, ur) = bounds[cell]
        let width = vertices[ur] - vertices[ll]
        let h = (z - vertices[ll]) / width
        let phi0 = (1 - h) * (1 - h) * (1 + 2 * h)
        let phi1 = h * h * (3 - 2 * h)
        let psi0 = h * (1 - h) * (1 - h)
        let psi1 = h * h * (h - 1)
        return phi0 * value[ll] + phi1 * value[ur] + (psi0 * slope[ll] + psi1 * slope[ur]) * width
    }
}

/// Weighted least squares as `dloess` solves it: columns scaled to unit norm, Householder QR, then the
/// small triangular system (a pseudo-inverse cut at 100 ε of the largest singular value is approximated
/// by rejecting a rank-deficient fit).
enum LeastSquares {
    static func solveEquilibrated(
        _ a: [Double], rows m: Int, columns k: Int, response b: [Double],
        at q: Double
    ) throws -> [Double] {
        var a = a, b = b
        var norms = [Double](repeating: 1, count: k)
        for c in 0..<k {
            var s = 0.0
            for r in 0..<m { s += a[c * m + r] * a[c * m + r] }
            s = s.squareRoot()
            if s > 0 { norms[c] = s; for r in 0..<m { a[c * m + r] /= s } }
        }
        var diagonal = [Double](repeating: 0, count: k)
        for c in 0..<k {
            var norm = 0.0
            for r in c..<m { norm += a[c * m + r] * a[c * m + r] }
            norm = norm.squareRoot()
            guard norm > 0 else { throw LoessError.singular(at: q) }
            let alpha = a[c * m + c] > 0 ? -norm : norm
            a[c * m + c] -= alpha
            var vv = 0.0
            for r in c..<m { vv += a[c * m + r] * a[c * m + r] }
            for j in (c + 1)..<max(k, c + 1) {
                var dot = 0.0
                for r in c..<m { dot += a[c * m + r] * a[j * m + r] }
                let f = 2 * dot / vv
                for r in c..<m { a[j * m + r] -= f * a[c * m + r] }
            }
            var dot = 0.0
            for r in c..<m { dot += a[c * m + r] * b[r] }
            let f = 2 * dot / vv
            for r in c..<m { b[r] -= f * a[c * m + r] }
            diagonal[c] = alpha
        }
        let largest = diagonal.map(abs).max() ?? 0
        guard diagonal.allSatisfy({ abs($0) > largest * 100 * Double.ulpOfOne }) else { throw LoessError.singular(at: q) }
        var solution = [Double](repeating: 0, count: k)
        for c in stride(from: k - 1, through: 0, by: -1) {
            var s = b[c]
            for j in (c + 1)..<k { s -= a[j * m + c] * solution[j] }
            solution[c] = s / diagonal[c]
        }
        return (0..<k).map { solution[$0] / norms[$0] }
    }
}
