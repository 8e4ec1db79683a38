import Foundation

/// Horizontal bars of a metric per model: the mean with a ±1 sd whisker, optional reference lines (e.g. the noise
/// ceiling) drawn dashed and labelled. Bars come in groups (one per model), a group holding one bar per series
/// (e.g. per tier, coloured, with a legend); a single-series chart prints each value at its bar's end.
struct BarChart {
    struct Bar {
        var label: String
        var mean: Double
        var sd: Double?
        var color: String = ChartPalette.color(0)
    }

    struct Group {
        var label: String
        var bars: [Bar]
    }

    var title: String
    var unit: String
    var groups: [Group]
    var references: [(value: Double, label: String)] = []
    /// Series names and colours when groups hold several bars.
    var legend: [(name: String, color: String)] = []
    var width: Double = 560

    /// One bar per group (a single series).
    init(title: String, unit: String, bars: [Bar], references: [(value: Double, label: String)] = []) {
        self.title = title
        self.unit = unit
        self.groups = bars.map { Group(label: $0.label, bars: [$0]) }
        self.references = references
    }

    init(title: String, unit: String, groups: [Group], legend: [(name: String, color: String)]) {
        self.title = title
        self.unit = unit
        self.groups = groups
        self.legend = legend
    }

    func svg() -> String {
        let perGroup = groups.map(\.bars.count).max() ?? 1
        let thickness = perGroup == 1 ? 14.0 : max(4, min(8, 28 / Double(perGroup)))
        let groupHeight = thickness * Double(perGroup) + (perGroup == 1 ? 8 : 8)
        let labelWidth = min(220, (groups.map { ChartFrame.textWidth($0.label) }.max() ?? 40) + 12)
        var frame = ChartFrame(width: width, title: title, xLabel: unit, yLabel: "")
        let legendRows =
            legend.isEmpty ? 0.0 : 1 + floor(legend.map { 32 + ChartFrame.textWidth($0.name) }.reduce(0, +) / (width - labelWidth))
        frame.margin = (30 + 14 * legendRows + (references.isEmpty ? 0 : 12), 56, 44, labelWidth)
        frame.height = frame.margin.top + 44 + groupHeight * Double(max(1, groups.count))
        let p = frame.plot
        var extent = groups.flatMap(\.bars).flatMap { b in [b.mean - (b.sd ?? 0), b.mean + (b.sd ?? 0)] } + references.map(\.value)
        extent.append(0)
        let x = ChartScale(values: extent, range: (p.x0, p.x1), includeZero: true)
        var s = frame.xAxis(x)
        let zero = x(0)
        for (g, group) in groups.enumerated() {
            let top = p.y0 + groupHeight * Double(g) + 4
            let middle = top + thickness * Double(group.bars.count) / 2
            s +=
                "<text class=\"rowlabel\" x=\"\(ChartText.px(p.x0 - 6))\" y=\"\(ChartText.px(middle))\" dy=\"0.32em\" text-anchor=\"end\">\(ChartText.escape(group.label))</text>"
            for (k, b) in group.bars.enumerated() {
                let y = top + thickness * Double(k)
                let tip = "\(b.label): \(ChartText.number(b.mean))\(b.sd.map { " ± " + ChartText.number($0) } ?? "")"
                guard b.mean.isFinite else {
                    s +=
                        "<text class=\"value\" x=\"\(ChartText.px(zero + 4))\" y=\"\(ChartText.px(y + thickness / 2))\" dy=\"0.32em\">n/a</text>"
                    continue
                }
                let (a, e) = (min(zero, x(b.mean)), max(zero, x(b.mean)))
                s +=
                    "<rect class=\"bar\" x=\"\(ChartText.px(a))\" y=\"\(ChartText.px(y))\" width=\"\(ChartText.px(max(1, e - a)))\" height=\"\(ChartText.px(thickness - (perGroup == 1 ? 0 : 1)))\" fill=\"\(b.color)\"><title>\(ChartText.escape(tip))</title></rect>"
                let c = y + thickness / 2
                if let sd = b.sd, sd.isFinite, sd > 0 {
                    let (l, r) = (x(b.mean - sd), x(b.mean + sd))
                    let w = min(4, thickness / 2 - 0.5)
                    s +=
                        "<path class=\"whisker\" d=\"M\(ChartText.px(l)) \(ChartText.px(c))H\(ChartText.px(r))M\(ChartText.px(l)) \(ChartText.px(c - w))V\(ChartText.px(c + w))M\(ChartText.px(r)) \(ChartText.px(c - w))V\(ChartText.px(c + w))\"/>"
                }
                if perGroup == 1 {
                    let end = max(e, b.sd.map { x(b.mean + $0) } ?? e)
                    s +=
                        "<text class=\"value\" x=\"\(ChartText.px(end + 4))\" y=\"\(ChartText.px(c))\" dy=\"0.32em\">\(ChartText.number(b.mean))</text>"
                }
            }
        }
        for r in references where r.value.isFinite {
            let rx = ChartText.px(x(r.value))
            s += "<line class=\"reference\" x1=\"\(rx)\" y1=\"\(ChartText.px(p.y0 - 4))\" x2=\"\(rx)\" y2=\"\(ChartText.px(p.y1))\"/>"
            s +=
                "<text class=\"reference\" x=\"\(rx)\" y=\"\(ChartText.px(p.y0 - 7))\" text-anchor=\"middle\">\(ChartText.escape(r.label))</text>"
        }
        if !legend.isEmpty { s += frame.legend(legend) }
        return frame.svg(s)
    }
}
