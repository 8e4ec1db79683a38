import Foundation

/// Series of (x, mean ± sd) points joined by lines, one colour per series, with a legend: data-scaling curves,
/// imbalance curves, retrieval curves over K, search traces.
struct LineChart {
    struct Point {
        var x: Double
        var y: Double
        var sd: Double? = nil
    }

    struct Series {
        var name: String
        var color: String
        var points: [Point]
        var dashed = false
    }

    var title: String
    var xLabel: String
    var yLabel: String
    var series: [Series]
    /// Tick labels for the x values when they are categories (e.g. K = 1, 5, 10, …); nil: numeric ticks.
    var xTicks: [(Double, String)]? = nil
    var width: Double = 640
    var height: Double = 360

    func svg() -> String {
        var frame = ChartFrame(width: width, height: height, title: title, xLabel: xLabel, yLabel: yLabel)
        let rows = 1 + Int((series.map { 18 + ChartFrame.textWidth($0.name) + 14 }.reduce(0, +)) / (width - 100))
        frame.margin.top = 30 + 14 * Double(rows)
        let p = frame.plot
        let points = series.flatMap(\.points)
        let x = ChartScale(values: points.map(\.x) + (xTicks?.map(\.0) ?? []), range: (p.x0, p.x1))
        let y = ChartScale(
            values: points.flatMap { pt in [pt.y - (pt.sd ?? 0), pt.y + (pt.sd ?? 0)] }, range: (p.y1, p.y0))
        var s = frame.xAxis(x, ticks: xTicks) + frame.yAxis(y)
        for serie in series {
            let finite = serie.points.filter { $0.x.isFinite && $0.y.isFinite }
            guard !finite.isEmpty else { continue }
            let d = finite.enumerated().map { i, pt in "\(i == 0 ? "M" : "L")\(ChartText.px(x(pt.x))) \(ChartText.px(y(pt.y)))" }.joined()
            s += "<path class=\"line\(serie.dashed ? " dashed" : "")\" d=\"\(d)\" stroke=\"\(serie.color)\"/>"
            s += "<g fill=\"\(serie.color)\" stroke=\"\(serie.color)\">"
            for pt in finite {
                let (cx, cy) = (ChartText.px(x(pt.x)), ChartText.px(y(pt.y)))
                if let sd = pt.sd, sd.isFinite, sd > 0 {
                    s +=
                        "<line class=\"whisker\" x1=\"\(cx)\" y1=\"\(ChartText.px(y(pt.y - sd)))\" x2=\"\(cx)\" y2=\"\(ChartText.px(y(pt.y + sd)))\"/>"
                }
                s +=
                    "<circle cx=\"\(cx)\" cy=\"\(cy)\" r=\"3\"><title>\(ChartText.escape(serie.name)): \(ChartText.number(pt.x)) → \(ChartText.number(pt.y))\(pt.sd.map { " ± " + ChartText.number($0) } ?? "")</title></circle>"
            }
            s += "</g>"
        }
        s += frame.legend(series.map { ($0.name, $0.color) })
        return frame.svg(s)
    }
}
