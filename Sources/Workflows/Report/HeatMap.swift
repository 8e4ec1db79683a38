import Foundation

/// A table of values as coloured cells with the value printed in each: rows (e.g. task/metric) × columns (e.g.
/// embeddings). Colour is scaled within each row (light = the row's lowest, dark = its highest; reversed where a
/// row is better low), since rows hold different metrics.
struct HeatMap {
    var title: String
    var rows: [String]
    var columns: [String]
    /// values[row][column]; NaN cells are left grey.
    var values: [[Double]]
    /// Rows where lower is better.
    var lowerIsBetter: Set<Int> = []

    func svg() -> String {
        let rowWidth = min(260, (rows.map(ChartFrame.textWidth).max() ?? 40) + 12)
        let cell = (w: max(64, (columns.map(ChartFrame.textWidth).max() ?? 40) + 10), h: 22.0)
        var frame = ChartFrame(title: title, xLabel: "", yLabel: "")
        frame.margin = (48, 12, 30, rowWidth)
        frame.width = max(440, rowWidth + cell.w * Double(columns.count) + 12)
        frame.height = 48 + cell.h * Double(rows.count) + 30
        let p = frame.plot
        var s = ""
        for (j, c) in columns.enumerated() {
            s +=
                "<text class=\"rowlabel\" x=\"\(ChartText.px(p.x0 + cell.w * (Double(j) + 0.5)))\" y=\"\(ChartText.px(p.y0 - 6))\" text-anchor=\"middle\">\(ChartText.escape(c))</text>"
        }
        for (i, r) in rows.enumerated() {
            let y = p.y0 + cell.h * Double(i)
            s +=
                "<text class=\"rowlabel\" x=\"\(ChartText.px(p.x0 - 6))\" y=\"\(ChartText.px(y + cell.h / 2))\" dy=\"0.32em\" text-anchor=\"end\">\(ChartText.escape(r))</text>"
            let finite = values[i].filter(\.isFinite)
            let (lo, hi) = (finite.min() ?? 0, finite.max() ?? 1)
            for (j, v) in values[i].enumerated() {
                var t = hi > lo ? (v - lo) / (hi - lo) : 0.5
                if lowerIsBetter.contains(i) { t = 1 - t }
                let fill = v.isFinite ? Self.blue(t) : "#dddddd"
                let x = p.x0 + cell.w * Double(j)
                s +=
                    "<rect x=\"\(ChartText.px(x))\" y=\"\(ChartText.px(y))\" width=\"\(ChartText.px(cell.w - 1))\" height=\"\(ChartText.px(cell.h - 1))\" fill=\"\(fill)\"><title>\(ChartText.escape(r)) / \(ChartText.escape(columns[j])): \(ChartText.number(v))</title></rect>"
                s +=
                    "<text class=\"cellvalue\(t > 0.6 && v.isFinite ? " dark" : "")\" x=\"\(ChartText.px(x + cell.w / 2))\" y=\"\(ChartText.px(y + cell.h / 2))\" dy=\"0.32em\" text-anchor=\"middle\">\(ChartText.number(v))</text>"
            }
        }
        s +=
            "<text class=\"note\" x=\"\(ChartText.px(p.x0))\" y=\"\(ChartText.px(frame.height - 10))\">colour within each row: darker is better</text>"
        return frame.svg(s)
    }

    /// A light-to-dark blue ramp.
    static func blue(_ t: Double) -> String {
        let c = min(1, max(0, t))
        let (r, g, b) = (0.94 - 0.80 * c, 0.96 - 0.62 * c, 1.0 - 0.40 * c)
        return String(format: "#%02x%02x%02x", Int(r * 255), Int(g * 255), Int(b * 255))
    }
}
