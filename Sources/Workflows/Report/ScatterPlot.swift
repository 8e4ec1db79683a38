import Foundation

/// Points of one or more series on two axes, with an optional y = x diagonal and text labels on chosen points.
struct ScatterPlot {
    struct Point {
        var x: Double
        var y: Double
        var label: String? = nil
    }

    struct Series {
        var name: String
        var color: String
        var points: [Point]
    }

    var title: String
    var xLabel: String
    var yLabel: String
    var series: [Series]
    var diagonal = true
    var kind: ChartScale.Kind = .linear
    /// A line of text in the plot's top-left corner (e.g. the correlation).
    var note: String? = nil
    var width: Double = 420
    var height: Double = 380

    func svg() -> String {
        var frame = ChartFrame(width: width, height: height, title: title, xLabel: xLabel, yLabel: yLabel)
        if series.count > 1 { frame.margin.top = 36 + 14 * Double((series.count - 1) / 4) + 8 }
        let p = frame.plot
        let all = series.flatMap(\.points)
        // Both axes share one domain when the diagonal is drawn, so y = x is the 45° line.
        let xs = all.map(\.x), ys = all.map(\.y)
        let x = ChartScale(values: diagonal ? xs + ys : xs, range: (p.x0, p.x1), kind: kind)
        let y = ChartScale(values: diagonal ? xs + ys : ys, range: (p.y1, p.y0), kind: kind)
        var s = frame.xAxis(x) + frame.yAxis(y)
        if diagonal {
            let lo = max(x.domain.low, y.domain.low), hi = min(x.domain.high, y.domain.high)
            let (a, b) = kind == .log1p ? (pow(10, lo) - 1, pow(10, hi) - 1) : (lo, hi)
            s +=
                "<line class=\"diagonal\" x1=\"\(ChartText.px(x(a)))\" y1=\"\(ChartText.px(y(a)))\" x2=\"\(ChartText.px(x(b)))\" y2=\"\(ChartText.px(y(b)))\"><title>y = x</title></line>"
        }
        for serie in series {
            s += "<g class=\"points\" fill=\"\(serie.color)\">"
            for pt in serie.points where pt.x.isFinite && pt.y.isFinite {
                s += "<circle cx=\"\(ChartText.px(x(pt.x)))\" cy=\"\(ChartText.px(y(pt.y)))\" r=\"2.6\"/>"
            }
            s += "</g>"
            for pt in serie.points where pt.x.isFinite && pt.y.isFinite {
                guard let label = pt.label else { continue }
                // Labels near the right edge are drawn to the left of their point.
                let right = x(pt.x) + 4 + ChartFrame.textWidth(label) * 0.9 > p.x1
                let lx = right ? x(pt.x) - 4 : x(pt.x) + 4
                s +=
                    "<text class=\"pointlabel\" x=\"\(ChartText.px(lx))\" y=\"\(ChartText.px(y(pt.y) - 4))\"\(right ? " text-anchor=\"end\"" : "")>\(ChartText.escape(label))</text>"
            }
        }
        if let note {
            s += "<text class=\"note\" x=\"\(ChartText.px(p.x0 + 6))\" y=\"\(ChartText.px(p.y0 + 12))\">\(ChartText.escape(note))</text>"
        }
        if series.count > 1 { s += frame.legend(series.map { ($0.name, $0.color) }) }
        return frame.svg(s)
    }
}
