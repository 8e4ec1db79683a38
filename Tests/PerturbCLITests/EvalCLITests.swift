import Foundation
import PerturbKit
import XCTest

/// `perturb eval`, `score` and `baseline` from the command line: each input check fails with a message naming
/// the problem, a non-zero exit, and no output left behind.
extension CLITests {
    var evalFixture: URL { CLITests.packageRoot.appendingPathComponent("Tests/Fixtures/eval/basic") }

    /// Reads the basic fixture's prediction, lets `change` edit it, writes it into `dir`.
    func editedPrediction(_ dir: URL, _ change: (inout AnnData) throws -> Void) throws -> String {
        var data = try AnnData.read(path: evalFixture.appendingPathComponent("pred.h5ad").path)
        try change(&data)
        let path = dir.appendingPathComponent("pred-edited.h5ad").path
        try data.write(to: path)
        return path
    }

    func assertEvalFails(
        pred: String, dir: URL, extra: [String] = [], mentioning words: [String],
        file: StaticString = #filePath, line: UInt = #line
    ) throws {
        let out = dir.appendingPathComponent("out")
        try assertFails(
            [
                "eval", "--real", evalFixture.appendingPathComponent("real.h5ad").path, "--pred", pred,
                "-o", out.path, "--quiet",
            ] + extra, mentioning: words, file: file, line: line)
        let left = (try? FileManager.default.contentsOfDirectory(atPath: out.path)) ?? []
        XCTAssertEqual(left, [], "no output left behind", file: file, line: line)
    }

    func testEvalWritesCellEvalFiles() throws {
        let dir = try directory()
        let result = try perturb([
            "eval", "--real", evalFixture.appendingPathComponent("real.h5ad").path,
            "--pred", evalFixture.appendingPathComponent("pred.h5ad").path,
            "-o", dir.path, "--profile", "vcc",
        ])
        XCTAssertEqual(result.status, 0, result.stderr)
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
        XCTAssertEqual(files, ["agg_results.csv", "manifest.json", "pred_de.csv", "real_de.csv", "results.csv"])
        let header = try String(contentsOf: dir.appendingPathComponent("results.csv"), encoding: .utf8).split(separator: "\n")[0]
        XCTAssertEqual(header, "perturbation,overlap_at_N,mae,discrimination_score_l1")
        XCTAssertTrue(result.stderr.contains("differential expression"), "progress on stderr")
        // The report of the eval directory: one HTML file, written atomically beside nothing else.
        let report = try perturb(["report", dir.path, "-o", dir.appendingPathComponent("report.html").path])
        XCTAssertEqual(report.status, 0, report.stderr)
        XCTAssertTrue(report.stderr.contains("eval report"), report.stderr)
        let html = try String(contentsOf: dir.appendingPathComponent("report.html"), encoding: .utf8)
        XCTAssertTrue(html.hasPrefix("<!DOCTYPE html>") && html.contains("DE-count calibration"))
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasPrefix(".") }, [])
        try assertFails(["report", evalFixture.path], mentioning: [evalFixture.path, "not a results directory", "leaderboard.csv"])
        try assertFails(["report", dir.appendingPathComponent("nothing").path], mentioning: ["nothing", "not a directory"])
    }

    /// Issue 26: `-o` naming a file gave a raw NSCocoaErrorDomain message after the whole evaluation; a killed
    /// run left `real_de.csv` without the other outputs and temporaries no rerun removed.
    func testEvalOutputsAreOneUnitAndLeftoversAreCleaned() throws {
        let dir = try directory()
        let file = dir.appendingPathComponent("taken").path
        try Data("mine".utf8).write(to: URL(fileURLWithPath: file))
        let real = evalFixture.appendingPathComponent("real.h5ad").path
        let pred = evalFixture.appendingPathComponent("pred.h5ad").path
        try assertFails(
            ["eval", "--real", real, "--pred", pred, "-o", file, "--quiet"],
            mentioning: [file, "is a file, but the output must be a directory"])
        XCTAssertEqual(try String(contentsOfFile: file, encoding: .utf8), "mine")
        // What a run killed while writing leaves: its staging directory and an atomic write's temporary (pid 2³¹ − 2
        // cannot be a live process here), and a stale real_de.csv without its manifest.
        let out = dir.appendingPathComponent("out")
        let dead = Int32.max - 1
        try FileManager.default.createDirectory(
            at: out.appendingPathComponent(".staging-\(dead)-1"), withIntermediateDirectories: true)
        try Data("partial".utf8).write(to: out.appendingPathComponent(".staging-\(dead)-1/real_de.csv"))
        try Data("partial".utf8).write(to: out.appendingPathComponent(".results.csv.tmp-\(dead)-7"))
        try Data("stale".utf8).write(to: out.appendingPathComponent("real_de.csv"))
        let result = try perturb(["eval", "--real", real, "--pred", pred, "-o", out.path, "--profile", "vcc", "--quiet"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertEqual(
            try FileManager.default.contentsOfDirectory(atPath: out.path).sorted(),
            ["agg_results.csv", "manifest.json", "pred_de.csv", "real_de.csv", "results.csv"])
        XCTAssertNotEqual(try String(contentsOf: out.appendingPathComponent("real_de.csv"), encoding: .utf8), "stale")
    }

    func testEvalRejectsDifferentGenes() throws {
        let dir = try directory()
        let pred = try editedPrediction(dir) { data in
            data.variables.index[3] = "RENAMED"
        }
        try assertEvalFails(pred: pred, dir: dir, mentioning: ["genes differ", "position 3", "'G3' vs 'RENAMED'"])
    }

    func testEvalRejectsDifferentPerturbations() throws {
        let dir = try directory()
        let pred = try editedPrediction(dir) { data in
            let labels = try DatasetColumns().labels(of: "target_gene", in: data.obs, path: "pred")
            try data.obs.setColumn("target_gene", .categorical(Categorical(labels: labels.map { $0 == "SWITCH" ? "OTHER" : $0 })))
        }
        try assertEvalFails(pred: pred, dir: dir, mentioning: ["perturbations differ", "SWITCH", "OTHER"])
    }

    func testEvalRejectsMissingControl() throws {
        let dir = try directory()
        let pred = try editedPrediction(dir) { data in
            let labels = try DatasetColumns().labels(of: "target_gene", in: data.obs, path: "pred")
            try data.obs.setColumn("target_gene", .categorical(Categorical(labels: labels.map { $0 == "non-targeting" ? "ctl" : $0 })))
        }
        try assertEvalFails(pred: pred, dir: dir, mentioning: ["pred-edited.h5ad", "non-targeting"])
    }

    func testEvalRejectsNonFinitePredictions() throws {
        let dir = try directory()
        let pred = try editedPrediction(dir) { data in
            var x = data.X!
            x.values[10] = .nan
            x.values[20] = .infinity
            data.X = x
        }
        try assertEvalFails(pred: pred, dir: dir, mentioning: ["pred-edited.h5ad", "2 NaN or infinite", "row 0"])
    }

    func testEvalRejectsNegativeLogValues() throws {
        let dir = try directory()
        let pred = try editedPrediction(dir) { data in
            var x = data.X!
            x.values[5] = -0.5
            data.X = x
        }
        try assertEvalFails(pred: pred, dir: dir, mentioning: ["pred-edited.h5ad", "negative"])
    }

    func testEvalRejectsEmptyControlGroupInACellType() throws {
        let dir = try directory()
        let realPath = dir.appendingPathComponent("real-typed.h5ad").path
        var real = try AnnData.read(path: evalFixture.appendingPathComponent("real.h5ad").path)
        let labels = try DatasetColumns().labels(of: "target_gene", in: real.obs, path: "real")
        // Type B gets perturbation cells but no control cells.
        try real.obs.setColumn(
            "celltype",
            .categorical(
                Categorical(
                    labels: labels.enumerated().map { i, l in
                        l == "non-targeting" ? "A" : (i % 2 == 0 ? "A" : "B")
                    })))
        try real.write(to: realPath)
        let out = dir.appendingPathComponent("out")
        try assertFails(
            ["eval", "--real", realPath, "--pred", realPath, "--celltype-col", "celltype", "-o", out.path, "--quiet"],
            mentioning: ["no cells", "non-targeting in celltype=B"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: out.path), "no output left behind")
    }

    func testEvalAcceptsStoredExplicitZeros() throws {
        let dir = try directory()
        let pred = try editedPrediction(dir) { data in
            // Store explicit zeros in every row (pdex miscounts them; they must not change our answer).
            let x = data.X!
            var builder = CSRBuilder(columns: x.columns)
            for r in 0..<x.rows {
                let range = x.range(ofRow: r)
                var stored = Dictionary(uniqueKeysWithValues: range.map { (x.columnIndices[$0], x.values[$0]) })
                if stored[0] == nil { stored[0] = 0 }
                for c in stored.keys.sorted() { builder.append(column: c, value: stored[c]!) }
                builder.finishRow()
            }
            data.X = builder.build()
        }
        let a = dir.appendingPathComponent("a"), b = dir.appendingPathComponent("b")
        let real = evalFixture.appendingPathComponent("real.h5ad").path
        XCTAssertEqual(try perturb(["eval", "--real", real, "--pred", pred, "-o", a.path, "--quiet"]).status, 0)
        XCTAssertEqual(
            try perturb([
                "eval", "--real", real, "--pred", evalFixture.appendingPathComponent("pred.h5ad").path,
                "-o", b.path, "--quiet",
            ]).status, 0)
        XCTAssertEqual(
            try String(contentsOf: a.appendingPathComponent("results.csv"), encoding: .utf8),
            try String(contentsOf: b.appendingPathComponent("results.csv"), encoding: .utf8))
    }

    func testEvalRejectsUnknownSkippedMetric() throws {
        let dir = try directory()
        try assertEvalFails(
            pred: evalFixture.appendingPathComponent("pred.h5ad").path, dir: dir,
            extra: ["--skip-metrics", "overlap_at_M"], mentioning: ["unknown metric 'overlap_at_M'"])
    }

    func testBaselineThenScore() throws {
        let dir = try directory()
        let real = evalFixture.appendingPathComponent("real.h5ad").path
        let baseline = dir.appendingPathComponent("baseline.h5ad").path
        XCTAssertEqual(try perturb(["baseline", "--adata", real, "-o", baseline, "--quiet"]).status, 0)
        for (pred, out) in [(evalFixture.appendingPathComponent("pred.h5ad").path, "model"), (baseline, "base")] {
            let r = try perturb([
                "eval", "--real", real, "--pred", pred, "-o", dir.appendingPathComponent(out).path,
                "--profile", "vcc", "--quiet",
            ])
            XCTAssertEqual(r.status, 0, r.stderr)
        }
        let score = try perturb([
            "score", "--results", dir.appendingPathComponent("model/agg_results.csv").path,
            "--baseline", dir.appendingPathComponent("base/agg_results.csv").path,
            "-o", dir.appendingPathComponent("score.csv").path,
        ])
        XCTAssertEqual(score.status, 0, score.stderr)
        XCTAssertTrue(score.stdout.contains("avg_score"))
        let csv = try String(contentsOf: dir.appendingPathComponent("score.csv"), encoding: .utf8)
        XCTAssertEqual(
            csv.split(separator: "\n").map { String($0.split(separator: ",")[0]) },
            ["metric", "mae", "overlap_at_N", "discrimination_score_l1", "avg_score"])
    }
}
