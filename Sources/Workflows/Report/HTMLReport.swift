import Foundation

/// A self-contained HTML page: inline stylesheet, inline SVG charts, tables readable without scripts (a short
/// inline script only adds click-to-sort on their headers). No network, no external scripts, fonts or images.
struct HTMLReport {
    var title: String
    var subtitle: String
    private var body: [String] = []
    private var contents: [(id: String, title: String)] = []

    init(title: String, subtitle: String) {
        self.title = title
        self.subtitle = subtitle
    }

    /// Starts a section with a heading and an optional explanatory paragraph.
    mutating func section(_ heading: String, intro: String? = nil) {
        let id = "s\(contents.count + 1)"
        contents.append((id, heading))
        body.append("<h2 id=\"\(id)\">\(ChartText.escape(heading))</h2>")
        if let intro { paragraph(intro) }
    }

    mutating func subheading(_ text: String) { body.append("<h3>\(ChartText.escape(text))</h3>") }

    mutating func paragraph(_ text: String) { body.append("<p>\(ChartText.escape(text))</p>") }

    /// Charts side by side (wrapping), each in a figure.
    mutating func figures(_ svgs: [String]) {
        guard !svgs.isEmpty else { return }
        body.append("<div class=\"figures\">" + svgs.map { "<figure>\($0)</figure>" }.joined() + "</div>")
    }

    /// A table; numeric cells are right-aligned and carry their value for sorting. `highlight` marks cells (row,
    /// column) shown bold (e.g. the best value of a column).
    mutating func table(_ header: [String], _ rows: [[String]], highlight: Set<[Int]> = [], caption: String? = nil) {
        var s = "<div class=\"tablewrap\"><table class=\"sortable\">"
        if let caption { s += "<caption>\(ChartText.escape(caption))</caption>" }
        s += "<thead><tr>" + header.map { "<th>\(ChartText.escape($0))</th>" }.joined() + "</tr></thead><tbody>"
        for (i, row) in rows.enumerated() {
            s += "<tr>"
            for (j, cell) in row.enumerated() {
                let numeric = Double(cell.split(separator: " ").first.map(String.init) ?? "") != nil
                var classes: [String] = []
                if numeric { classes.append("num") }
                if highlight.contains([i, j]) { classes.append("best") }
                let cls = classes.isEmpty ? "" : " class=\"\(classes.joined(separator: " "))\""
                s += "<td\(cls)>\(ChartText.escape(cell))</td>"
            }
            s += "</tr>"
        }
        body.append(s + "</tbody></table></div>")
    }

    /// A definition list of key → value pairs (provenance).
    mutating func facts(_ items: [(String, String)]) {
        body.append(
            "<dl class=\"facts\">" + items.map { "<dt>\(ChartText.escape($0.0))</dt><dd>\(ChartText.escape($0.1))</dd>" }.joined()
                + "</dl>")
    }

    /// The whole page.
    func html() -> String {
        let toc = contents.map { "<li><a href=\"#\($0.id)\">\(ChartText.escape($0.title))</a></li>" }.joined()
        return """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(ChartText.escape(title))</title>
            <style>\(Self.style)</style></head>
            <body><header><h1>\(ChartText.escape(title))</h1><p class="subtitle">\(ChartText.escape(subtitle))</p>
            <nav><ol>\(toc)</ol></nav></header>
            <main>\(body.joined(separator: "\n"))</main>
            <footer>Written by PerturbKit's <code>perturb report</code>: one file, no network access needed.</footer>
            <script>\(Self.sortScript)</script>
            </body></html>

            """
    }

    static let style = """
        body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;margin:0 auto;max-width:1180px;
        padding:0 20px 40px;color:#1f2328;line-height:1.45;font-size:14px}
        h1{font-size:24px;margin:24px 0 4px}h2{font-size:19px;margin:32px 0 8px;border-bottom:1px solid #d0d7de;padding-bottom:4px}
        h3{font-size:15px;margin:18px 0 6px}.subtitle{color:#57606a;margin:0 0 8px}
        nav ol{columns:3;font-size:13px;margin:8px 0;padding-left:20px}
        .figures{display:flex;flex-wrap:wrap;gap:12px}figure{margin:0;break-inside:avoid}
        svg.chart{max-width:100%;height:auto;background:#fff}
        svg text{font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;font-size:11px;fill:#24292f}
        svg .title{font-size:13px;font-weight:600}svg .label{font-size:12px;fill:#57606a}
        svg .axis line{stroke:#8c959f;stroke-width:1}svg line.grid{stroke:#eaeef2}
        svg .whisker{stroke:#24292f;stroke-width:1.2;fill:none}svg .line{fill:none;stroke-width:2}svg .dashed{stroke-dasharray:5 4}
        svg .reference{stroke:#cf222e;stroke-dasharray:4 3;stroke-width:1.5;fill:#cf222e}svg text.reference{stroke:none}
        svg .diagonal{stroke:#8c959f;stroke-dasharray:4 3}svg .pointlabel{font-size:10px;fill:#57606a}
        svg .cellvalue{font-size:10.5px}svg .cellvalue.dark{fill:#fff}svg .note{font-size:10px;fill:#57606a}
        .tablewrap{overflow-x:auto}table{border-collapse:collapse;font-size:12.5px;margin:8px 0}
        caption{text-align:left;color:#57606a;padding:2px 0}
        th,td{border-bottom:1px solid #d8dee4;padding:3px 8px;text-align:left;white-space:nowrap}
        th{background:#f6f8fa;position:sticky;top:0;cursor:pointer}td.num{text-align:right;font-variant-numeric:tabular-nums}
        td.best{font-weight:700}dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:2px 14px;font-size:12.5px}
        dt{color:#57606a}dd{margin:0;font-family:ui-monospace,SFMono-Regular,Menlo,monospace;word-break:break-all}
        footer{margin-top:36px;color:#57606a;font-size:12px}
        @media print{nav{display:none}body{max-width:none}h2{break-after:avoid}th{position:static}}
        """

    /// Click a header to sort by that column (numbers numerically); the table is already in a useful order without it.
    static let sortScript = """
        document.querySelectorAll("table.sortable th").forEach(function(th,col){th.addEventListener("click",function(){
        var body=th.closest("table").tBodies[0],rows=Array.prototype.slice.call(body.rows),up=th.dataset.dir!=="asc";
        th.dataset.dir=up?"asc":"desc";rows.sort(function(a,b){var x=a.cells[col].textContent,y=b.cells[col].textContent,
        p=parseFloat(x),q=parseFloat(y);var c=(!isNaN(p)&&!isNaN(q))?p-q:x.localeCompare(y);return up?c:-c;});
        rows.forEach(function(r){body.appendChild(r);});});});
        """
}
