import Foundation

/// A histogram of values on a fixed interval (equal bins; values outside are clipped into the end bins), with the
/// count on the y axis and an optional marked value (e.g. 0.5, the rank of a random predictor).
struct Histogram {
    var title: String
    var xLabel: String
    var values: [Double]
    var range: (low: Double, high: Double) = (0, 1)
    var bins = 20
    var marker: (value: Double, label: String)? = nil
    var color = ChartPalette.color(0)
    var width: Double = 300
    var height: Double = 200

    /// The count per bin.
    var counts: [Int] {
        var counts = [Int](repeating: 0, count: bins)
        for v in values where v.isFinite {
            let t = (v - range.low) / (range.high - range.low)
            counts[min(bins - 1, max(0, Int(t * Double(bins))))] += 1
        }
        return counts
    }

    func svg() -> String {
        var frame = ChartFrame(width: width, height: height, title: title, xLabel: xLabel, yLabel: "perturbations")
        frame.margin = (28, 12, 40, 48)
        let p = frame.plot
        let counts = self.counts
        let x = ChartScale(values: [range.low, range.high], range: (p.x0, p.x1), pad: 0)
        let y = ChartScale(values: counts.map(Double.init) + [0], range: (p.y1, p.y0), includeZero: true)
        var s = frame.xAxis(x) + frame.yAxis(y)
        let w = (range.high - range.low) / Double(bins)
        for (i, c) in counts.enumerated() where c > 0 {
            let (a, b) = (x(range.low + Double(i) * w), x(range.low + Double(i + 1) * w))
            s +=
                "<rect class=\"bar\" x=\"\(ChartText.px(a + 0.5))\" y=\"\(ChartText.px(y(Double(c))))\" width=\"\(ChartText.px(max(0.5, b - a - 1)))\" height=\"\(ChartText.px(y(0) - y(Double(c))))\" fill=\"\(color)\"><title>\(ChartText.number(range.low + Double(i) * w))–\(ChartText.number(range.low + Double(i + 1) * w)): \(c)</title></rect>"
        }
        if let m = marker {
            let mx = ChartText.px(x(m.value))
            s +=
                "<line class=\"reference\" x1=\"\(mx)\" y1=\"\(ChartText.px(p.y0))\" x2=\"\(mx)\" y2=\"\(ChartText.px(p.y1))\"><title>\(ChartText.escape(m.label))</title></line>"
        }
        return frame.svg(s)
    }
}
