import Foundation

/// The frame every chart draws in: an SVG of a given size with margins, a title, axes with ticks and axis
/// labels (with units), and an optional legend. Charts put their marks inside `plot`.
struct ChartFrame {
    var width: Double = 640
    var height: Double = 360
    var margin = (top: 36.0, right: 24.0, bottom: 52.0, left: 64.0)
    var title: String
    var xLabel: String
    var yLabel: String

    var plot: (x0: Double, x1: Double, y0: Double, y1: Double) {
        (margin.left, width - margin.right, margin.top, height - margin.bottom)
    }

    /// The x axis at the bottom of the plot with ticks and the label.
    func xAxis(_ scale: ChartScale, ticks: [(Double, String)]? = nil) -> String {
        let p = plot
        var s =
            "<g class=\"axis x\"><line x1=\"\(ChartText.px(p.x0))\" y1=\"\(ChartText.px(p.y1))\" x2=\"\(ChartText.px(p.x1))\" y2=\"\(ChartText.px(p.y1))\"/>"
        for (v, label) in ticks ?? scale.ticks() {
            let x = ChartText.px(scale(v))
            s += "<line class=\"grid\" x1=\"\(x)\" y1=\"\(ChartText.px(p.y0))\" x2=\"\(x)\" y2=\"\(ChartText.px(p.y1))\"/>"
            s += "<text x=\"\(x)\" y=\"\(ChartText.px(p.y1 + 16))\" text-anchor=\"middle\">\(ChartText.escape(label))</text>"
        }
        s +=
            "<text class=\"label\" x=\"\(ChartText.px((p.x0 + p.x1) / 2))\" y=\"\(ChartText.px(height - 10))\" text-anchor=\"middle\">\(ChartText.escape(xLabel))</text></g>"
        return s
    }

    /// The y axis at the left of the plot with ticks and the (rotated) label.
    func yAxis(_ scale: ChartScale) -> String {
        let p = plot
        var s =
            "<g class=\"axis y\"><line x1=\"\(ChartText.px(p.x0))\" y1=\"\(ChartText.px(p.y0))\" x2=\"\(ChartText.px(p.x0))\" y2=\"\(ChartText.px(p.y1))\"/>"
        for (v, label) in scale.ticks() {
            let y = ChartText.px(scale(v))
            s += "<line class=\"grid\" x1=\"\(ChartText.px(p.x0))\" y1=\"\(y)\" x2=\"\(ChartText.px(p.x1))\" y2=\"\(y)\"/>"
            s += "<text x=\"\(ChartText.px(p.x0 - 6))\" y=\"\(y)\" dy=\"0.32em\" text-anchor=\"end\">\(ChartText.escape(label))</text>"
        }
        let cy = (p.y0 + p.y1) / 2
        s +=
            "<text class=\"label\" transform=\"translate(14 \(ChartText.px(cy))) rotate(-90)\" text-anchor=\"middle\">\(ChartText.escape(yLabel))</text></g>"
        return s
    }

    /// A legend row under the title: a swatch and a name per series.
    func legend(_ items: [(name: String, color: String)]) -> String {
        var s = "<g class=\"legend\">"
        var x = plot.x0
        var y = 26.0
        for item in items {
            let w = 18 + 6.6 * Double(item.name.count) + 14
            if x + w > width - margin.right, x > plot.x0 {
                x = plot.x0
                y += 14
            }
            s += "<rect x=\"\(ChartText.px(x))\" y=\"\(ChartText.px(y - 8))\" width=\"10\" height=\"10\" fill=\"\(item.color)\"/>"
            s += "<text x=\"\(ChartText.px(x + 14))\" y=\"\(ChartText.px(y))\">\(ChartText.escape(item.name))</text>"
            x += w
        }
        return s + "</g>"
    }

    /// The finished SVG: title, then the given marks.
    func svg(_ body: String) -> String {
        "<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" width=\"\(Int(width))\" "
            + "height=\"\(Int(height))\" role=\"img\" aria-label=\"\(ChartText.escape(title))\"><title>\(ChartText.escape(title))</title>"
            + "<text class=\"title\" x=\"\(ChartText.px(margin.left))\" y=\"14\">\(ChartText.escape(title))</text>" + body + "</svg>"
    }

    /// The pixel width a label needs (an estimate for the 11 px sans-serif the stylesheet sets).
    static func textWidth(_ s: String) -> Double { 6.6 * Double(s.count) }
}
