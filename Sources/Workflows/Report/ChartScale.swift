import Foundation

/// A map from data values to pixels along one axis, linear or on log10(1 + x) (for counts that can be 0), with
/// "nice" ticks (1, 2 or 5 × 10^k steps).
struct ChartScale {
    enum Kind { case linear, log1p }
    let kind: Kind
    let domain: (low: Double, high: Double)
    let range: (low: Double, high: Double)

    /// A scale over the finite values (padded so that no point sits on the frame; a single value gets ±1).
    init(values: [Double], range: (Double, Double), kind: Kind = .linear, includeZero: Bool = false, pad: Double = 0.04) {
        self.kind = kind
        self.range = range
        let finite = values.filter(\.isFinite).map { kind == .log1p ? log10(1 + max(0, $0)) : $0 }
        var low = finite.min() ?? 0, high = finite.max() ?? 1
        if includeZero { low = min(low, 0); high = max(high, 0) }
        if low == high { low -= 1; high += 1 }
        let span = high - low
        domain = (low - (includeZero && low == 0 ? 0 : pad * span), high + pad * span)
    }

    /// The pixel of a data value.
    func callAsFunction(_ x: Double) -> Double {
        let t = kind == .log1p ? log10(1 + max(0, x)) : x
        return range.low + (t - domain.low) / (domain.high - domain.low) * (range.high - range.low)
    }

    /// Tick values (data units) and their labels.
    func ticks(_ count: Int = 5) -> [(Double, String)] {
        if kind == .log1p {
            var out: [(Double, String)] = []
            var v = 0.0
            while log10(1 + v) <= domain.high + 1e-12 {
                if log10(1 + v) >= domain.low - 1e-12 { out.append((v, String(Int(v)))) }
                v = v == 0 ? 1 : v * 10
            }
            return out
        }
        let step = Self.niceStep((domain.high - domain.low) / Double(max(1, count)))
        var out: [(Double, String)] = []
        var v = (domain.low / step).rounded(.up) * step
        while v <= domain.high + step * 1e-9 {
            out.append((abs(v) < step * 1e-9 ? 0 : v, ChartText.number(abs(v) < step * 1e-9 ? 0 : v, step: step)))
            v += step
        }
        return out
    }

    static func niceStep(_ raw: Double) -> Double {
        guard raw > 0, raw.isFinite else { return 1 }
        let magnitude = pow(10, floor(log10(raw)))
        let f = raw / magnitude
        return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * magnitude
    }
}

/// Text helpers shared by the charts and the HTML: escaping and short number formats.
enum ChartText {
    static func escape(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.count)
        for c in s {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(c)
            }
        }
        return out
    }

    /// A tick or value label: as many decimals as the step needs, else 3 significant digits.
    static func number(_ v: Double, step: Double? = nil) -> String {
        guard v.isFinite else { return v.isNaN ? "n/a" : (v > 0 ? "∞" : "−∞") }
        if let step, step > 0 {
            let decimals = max(0, min(6, Int(-floor(log10(step) + 1e-9))))
            return String(format: "%.\(decimals)f", v)
        }
        if v == 0 { return "0" }
        if abs(v) >= 1000 || abs(v) < 0.001 { return String(format: "%.3g", v) }
        if abs(v) >= 100 { return String(format: "%.0f", v) }
        if abs(v) >= 10 { return String(format: "%.1f", v) }
        return String(format: "%.3f", v)
    }

    /// Pixel coordinates with two decimals (keeps the SVG small and byte-stable).
    static func px(_ v: Double) -> String { String(format: "%.2f", v) }
}

/// The categorical palette (Tableau 10): distinguishable in colour and in greyscale print order.
enum ChartPalette {
    static let colors = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac"]
    static func color(_ i: Int) -> String { colors[i % colors.count] }
}
