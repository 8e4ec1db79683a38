import XCTest
import AnnData
import PerturbData
import Support
@testable import Workflows

/// `perturb report` on real outputs: a small data-scaling benchmark with a search, a reverse run and an eval
/// directory, all made here from a simulated screen; and the pages rendered in headless Chromium.
final class ReportTests: XCTestCase {
    /// The result directories, made once for the class.
    static let outputs: Result<(benchmark: String, reverse: String, evaluation: String, embedding: String), Error> = Result {
        let dir = NSTemporaryDirectory() + "perturbkit-report-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        var sim = SimulationConfig()
        sim.perturbations = 20
        sim.doubles = 0
        sim.cellsPerPerturbation = 30
        sim.controlCells = 120
        sim.genes = 150
        sim.modules = 6
        sim.moduleSize = 12
        sim.seed = 11
        let simulation = try Simulator.run(sim, threads: 2)
        try simulation.data.write(to: dir + "/sim.h5ad")
        try simulation.moduleMembershipCSV().write(toFile: dir + "/modules.csv", atomically: true, encoding: .utf8)
        let toml = """
            name = "report"
            seeds = 2
            [[datasets]]
            name = "sim"
            path = "sim.h5ad"
            prep = { normalize = true, log1p = true, min_cells_per_condition = 20 }
            [split]
            strategy = "data-scaling"
            fractions = "0.5,1"
            val = 0.2
            test = 0.3
            [[models]]
            name = "ridge"
            params = { features = "modules.csv" }
            [[models]]
            name = "linear-pca"
            search = { k = [2, 5, 10] }
            trials = 3
            """
        try toml.write(toFile: dir + "/bench.toml", atomically: true, encoding: .utf8)
        let config = try BenchmarkConfig.read(path: dir + "/bench.toml")
        try BenchmarkRun.run(config, configPath: dir + "/bench.toml", output: dir + "/bench", threads: 2, command: ["test"], log: nil)
        // A reverse run on the prepared first-seed split of the same data.
        let seed = dir + "/bench/runs/sim/seed0"
        try ReverseRun(
            data: dir + "/sim.h5ad", split: seed + "/split.json",
            models: [try ReverseModelSpec(parsing: "pca-knn")], output: dir + "/reverse"
        ).run()
        // An eval directory as `perturb eval` writes it: results, agg_results, both DE tables and the manifest.
        let evaluation = dir + "/eval"
        try FileManager.default.createDirectory(atPath: evaluation, withIntermediateDirectories: true)
        let model = seed + "/fraction1.0/ridge/eval-vcc"
        for file in ["results.csv", "agg_results.csv", "pred_de.csv", "manifest.json"] {
            try FileManager.default.copyItem(atPath: model + "/" + file, toPath: evaluation + "/" + file)
        }
        try FileManager.default.copyItem(atPath: seed + "/real_de.csv", toPath: evaluation + "/real_de.csv")
        // An embed-eval table in the --seeds layout (mean, sd and variant per embedding).
        let embedding = dir + "/embed"
        try FileManager.default.createDirectory(atPath: embedding, withIntermediateDirectories: true)
        try """
        task,metric,pca,pca_std,pca_variant,random,random_std,random_variant
        ilisi,median,2.5460,0.0100,center-scaled,2.5740,0.0200,raw
        linear_probe,top1,0.1813,0.0050,tvn,0.1141,0.0040,tvn
        consistency,tested,24.0000,0.0000,,24.0000,0.0000,
        reconstruction,structural_integrity,0.6802,0.0100,raw,0.4991,0.0020,raw

        """.write(toFile: embedding + "/table.csv", atomically: true, encoding: .utf8)
        try "task,metric,embedding,variant,seed,value\n".write(toFile: embedding + "/scores.csv", atomically: true, encoding: .utf8)
        return (dir + "/bench", dir + "/reverse", evaluation, embedding)
    }

    func testDirectoryKindsAndClearErrors() throws {
        let o = try Self.outputs.get()
        XCTAssertEqual(try ReportRun.kind(of: o.benchmark), .benchmark)
        XCTAssertEqual(try ReportRun.kind(of: o.reverse), .reverse)
        XCTAssertEqual(try ReportRun.kind(of: o.evaluation), .evaluation)
        XCTAssertEqual(try ReportRun.kind(of: o.embedding), .embedding)
        XCTAssertThrowsError(try ReportRun.kind(of: NSTemporaryDirectory())) { error in
            XCTAssertTrue("\(error)".contains("not a results directory"), "\(error)")
            XCTAssertTrue("\(error)".contains("leaderboard.csv"), "\(error)")
        }
        XCTAssertThrowsError(try ReportRun.kind(of: o.benchmark + "/leaderboard.csv")) {
            XCTAssertTrue("\($0)".contains("not a directory"))
        }
    }

    /// The benchmark page holds every section the data allows, its charts are inline SVG with marks, and it needs
    /// nothing from outside the file.
    func testBenchmarkReportIsSelfContainedAndComplete() throws {
        let o = try Self.outputs.get()
        let (_, html) = try ReportRun.html(directory: o.benchmark)
        try Self.checkSelfContained(html)
        for heading in [
            "Leaderboard", "Predicted vs observed effects", "DE overlap and DE-count calibration", "Rank metric: the collapse check",
            "Data scaling", "Hyperparameter search", "Provenance",
        ] {
            XCTAssertTrue(html.contains(">\(heading)</h2>"), heading)
        }
        let charts = html.components(separatedBy: "<svg class=\"chart\"").count - 1
        // 5 models (3 references) → bars per metric, 5 × 2 scatters, 1 calibration, 5 histograms, curves, 1 search trace.
        XCTAssertGreaterThanOrEqual(charts, 9 + 10 + 1 + 5 + 4 + 1)
        XCTAssertEqual(html.components(separatedBy: "Pearson r = ").count - 1, 10, "two conditions per model")
        XCTAssertTrue(html.contains("linear-pca: grid search"))
        XCTAssertTrue(html.contains("content hash"), "split hashes in the provenance")
        // Same inputs, same bytes.
        XCTAssertEqual(try ReportRun.html(directory: o.benchmark).1, html)
    }

    func testOtherReports() throws {
        let o = try Self.outputs.get()
        let reverse = try ReportRun.html(directory: o.reverse).1
        try Self.checkSelfContained(reverse)
        XCTAssertTrue(reverse.contains("Hit@K (the true perturbation in the top K)"))
        XCTAssertTrue(reverse.contains("pca-knn"))
        let evaluation = try ReportRun.html(directory: o.evaluation).1
        try Self.checkSelfContained(evaluation)
        XCTAssertTrue(evaluation.contains(">DE-count calibration</h2>"))
        XCTAssertEqual(evaluation.components(separatedBy: "Pearson r = ").count - 1, 3)
        let embedding = try ReportRun.html(directory: o.embedding).1
        try Self.checkSelfContained(embedding)
        XCTAssertTrue(embedding.contains("Embeddings × tasks"))
        XCTAssertFalse(embedding.contains("consistency · tested"), "counts stay out of the heat map")
        XCTAssertTrue(embedding.contains("linear_probe · top1 / pca: 0.181"), "cells carry their values")
    }

    /// No external resource of any kind, and every chart draws something.
    static func checkSelfContained(_ html: String, file: StaticString = #filePath, line: UInt = #line) throws {
        for needle in ["src=", "<link", "@import", "url(", "https://", "<img", "<iframe"] {
            XCTAssertFalse(html.contains(needle), "found \(needle)", file: file, line: line)
        }
        // The only http: is the SVG namespace, which is a name, not a request.
        XCTAssertEqual(
            html.components(separatedBy: "http://").count - 1, html.components(separatedBy: "http://www.w3.org/2000/svg").count - 1,
            file: file, line: line)
        for svg in html.components(separatedBy: "<svg class=\"chart\"").dropFirst() {
            let body = svg.components(separatedBy: "</svg>")[0]
            let marks = ["<rect class=\"bar\"", "<circle", "<path class=\"line", "<rect x="].map {
                body.components(separatedBy: $0).count - 1
            }
            XCTAssertGreaterThan(marks.reduce(0, +), 0, "a chart without marks: \(body.prefix(200))", file: file, line: line)
        }
    }

    func testScaleTicksAndDETableScan() throws {
        let scale = ChartScale(values: [0, 0.93], range: (0, 100), pad: 0)
        XCTAssertEqual(scale.ticks().map(\.1), ["0.0", "0.2", "0.4", "0.6", "0.8"])
        XCTAssertEqual(scale(0.93), 100, accuracy: 1e-12)
        let log = ChartScale(values: [0, 350], range: (0, 100), kind: .log1p, pad: 0)
        XCTAssertEqual(log.ticks().map(\.1), ["0", "1", "10", "100"])
        XCTAssertEqual(ChartScale.niceStep(0.037), 0.05)
        XCTAssertEqual(
            Histogram(title: "", xLabel: "", values: [0, 0.04, 0.15, 0.5, 1, 2, -1], bins: 10).counts, [3, 1, 0, 0, 0, 1, 0, 0, 0, 2])
        let path = NSTemporaryDirectory() + "de-scan-\(getpid()).csv"
        // Means are expm1(mean log1p x), so Δ = log1p(target_mean) − log1p(ref_mean).
        try """
        target,feature,target_mean,ref_mean,log2_fold_change,fdr
        A,g1,1.718281828459045,0,1,0.01
        A,g2,0,1.718281828459045,-1,0.2
        "B",g1,3,3,0,0.04
        B,g2,1,1,0,nan

        """.write(toFile: path, atomically: true, encoding: .utf8)
        let scan = try DETableScan(path: path, keep: ["A"])
        XCTAssertEqual(scan.significant, ["A": 1, "B": 1])
        XCTAssertEqual(scan.effect["A"]!, 2, accuracy: 1e-12)
        XCTAssertEqual(scan.effect["B"]!, 0, accuracy: 1e-12)
        XCTAssertEqual(scan.deltas["A"]!["g1"]!, 1, accuracy: 1e-12)
        XCTAssertEqual(scan.deltas["A"]!["g2"]!, -1, accuracy: 1e-12)
        XCTAssertNil(scan.deltas["B"])
        try "target,feature,fdr\nA,g1,0.1\n".write(toFile: path, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try DETableScan(path: path)) { XCTAssertTrue("\($0)".contains("no 'target_mean' column"), "\($0)") }
    }

    // MARK: In a real browser

    /// Chromium's path: $PERTURBKIT_CHROMIUM, else the first of chromium, chromium-browser, google-chrome on PATH.
    static func chromium() -> String? {
        let env = ProcessInfo.processInfo.environment
        if let path = env["PERTURBKIT_CHROMIUM"], FileManager.default.isExecutableFile(atPath: path) { return path }
        let dirs = (env["PATH"] ?? "/usr/bin:/bin").split(separator: ":").map(String.init)
        for name in ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"] {
            for dir in dirs where FileManager.default.isExecutableFile(atPath: "\(dir)/\(name)") { return "\(dir)/\(name)" }
        }
        return nil
    }

    /// Runs headless Chromium on a file; returns stdout and stderr (killed after `timeout` seconds).
    static func headless(_ chromium: String, _ arguments: [String], page: String, timeout: TimeInterval = 120) throws -> (String, String) {
        let dir = NSTemporaryDirectory() + "perturbkit-chromium-\(getpid())-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        _ = FileManager.default.createFile(atPath: dir + "/out", contents: nil)
        _ = FileManager.default.createFile(atPath: dir + "/err", contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: chromium)
        process.arguments =
            [
                "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run", "--user-data-dir=\(dir)/profile",
                "--enable-logging=stderr", "--v=0",
            ] + arguments + [URL(fileURLWithPath: page).absoluteString]
        process.standardOutput = FileHandle(forWritingAtPath: dir + "/out")
        process.standardError = FileHandle(forWritingAtPath: dir + "/err")
        try process.run()
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        if process.isRunning {
            process.terminate()
            throw XCTSkip("chromium did not finish within \(Int(timeout)) s")
        }
        return (
            (try? String(contentsOfFile: dir + "/out", encoding: .utf8)) ?? "",
            (try? String(contentsOfFile: dir + "/err", encoding: .utf8)) ?? ""
        )
    }

    /// Every report kind rendered by headless Chromium: a probe script added to a copy of the page records each
    /// chart's drawn marks (data marks with a non-empty box, legends and axes not counted) and every error the
    /// page raises (script errors, failed loads, console.error), and clicks a table header to run the sort
    /// script; the benchmark page is also screenshotted. Skipped without Chromium, except under CI=true.
    func testPagesRenderInChromium() throws {
        guard let chromium = Self.chromium() else {
            if ProcessInfo.processInfo.environment["CI"] == "true" {
                XCTFail("Chromium is required under CI=true (scripts/setup installs Debian's chromium)")
                return
            }
            throw XCTSkip("Chromium not found (Debian package chromium; scripts/setup installs it); report rendering not checked")
        }
        let o = try Self.outputs.get()
        let dir = NSTemporaryDirectory() + "perturbkit-render-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let head = """
            <script>window.__errors=[];window.addEventListener("error",function(e){__errors.push("error: "+(e.message||(e.target&&(e.target.src||e.target.href))||"resource"));},true);
            var __ce=console.error;console.error=function(){__errors.push("console: "+Array.prototype.join.call(arguments," "));__ce.apply(console,arguments);};</script>
            """
        let probe = """
            <script>(function(){var out=[];document.querySelectorAll("svg.chart").forEach(function(svg,i){var n=0;
            svg.querySelectorAll("rect,circle,path,line").forEach(function(el){if(el.closest(".legend")||el.closest(".axis")||el.matches(".reference,.diagonal"))return;
            var b=el.getBBox();if(b.width>0||b.height>0)n++;});var r=svg.getBoundingClientRect();
            out.push({title:svg.getAttribute("aria-label")||"",marks:n,width:r.width,height:r.height});});
            var th=document.querySelector("table.sortable th");if(th){th.click();th.click();}
            var pre=document.createElement("pre");pre.id="report-check";pre.textContent=JSON.stringify({charts:out,errors:window.__errors});
            document.body.appendChild(pre);})();</script>
            """
        struct Check: Decodable {
            struct Chart: Decodable { let title: String; let marks: Int; let width: Double; let height: Double }
            let charts: [Chart]
            let errors: [String]
        }
        for (name, directory) in [("benchmark", o.benchmark), ("reverse", o.reverse), ("eval", o.evaluation), ("embed", o.embedding)] {
            let page = "\(dir)/\(name).html"
            try ReportRun.run(directory: directory, output: page)
            let html = try String(contentsOfFile: page, encoding: .utf8)
            let probed = html.replacingOccurrences(of: "<head>", with: "<head>" + head)
                .replacingOccurrences(of: "</body>", with: probe + "</body>")
            try probed.write(toFile: "\(dir)/\(name)-probe.html", atomically: true, encoding: .utf8)
            let (dom, log) = try Self.headless(chromium, ["--dump-dom"], page: "\(dir)/\(name)-probe.html")
            guard let start = dom.range(of: "<pre id=\"report-check\">"),
                let end = dom.range(of: "</pre>", range: start.upperBound..<dom.endIndex)
            else {
                XCTFail("\(name): the probe did not run; chromium said: \(log.suffix(2000))")
                continue
            }
            let json = String(dom[start.upperBound..<end.lowerBound]).replacingOccurrences(of: "&lt;", with: "<")
                .replacingOccurrences(of: "&gt;", with: ">").replacingOccurrences(of: "&amp;", with: "&")
            let check = try JSONDecoder().decode(Check.self, from: Data(json.utf8))
            XCTAssertEqual(check.charts.count, html.components(separatedBy: "<svg class=\"chart\"").count - 1, name)
            XCTAssertFalse(check.charts.isEmpty, name)
            for chart in check.charts {
                XCTAssertGreaterThan(chart.marks, 0, "\(name): nothing drawn in '\(chart.title)'")
                XCTAssertTrue(chart.width > 100 && chart.height > 100, "\(name): '\(chart.title)' is \(chart.width) × \(chart.height)")
            }
            XCTAssertEqual(check.errors, [], "\(name): the page raised errors")
            let console = log.split(separator: "\n").filter { $0.contains("CONSOLE") }
            XCTAssertEqual(console, [], "\(name): console output")
        }
        let shot = "\(dir)/benchmark.png"
        _ = try Self.headless(chromium, ["--screenshot=\(shot)", "--window-size=1280,2400"], page: "\(dir)/benchmark.html")
        let png = try Data(contentsOf: URL(fileURLWithPath: shot))
        XCTAssertEqual(Array(png.prefix(8)), [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], "a PNG")
        XCTAssertGreaterThan(png.count, 40_000, "a blank 1280 × 2400 page compresses to a few kB; charts do not")
    }
}
