import Foundation
import XCTest
import AnnData
import LinearAlgebra
import Statistics
@testable import PerturbData

/// Fixtures made by scripts/reference/make_prep_fixtures.py (scanpy 1.11.5, scikit-misc 0.5.3).
let prepFixtures = packageRoot.appendingPathComponent("Tests/Fixtures/prep")
let papalexiPath = "sceptre_papalexi_lowmoi/papalexi2021_lowmoi_subset.h5ad"

/// A small CSV (no quoted fields) as a header and rows of strings.
struct SimpleCSV {
    let header: [String]
    let rows: [[String]]

    init(_ url: URL) throws {
        let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n").map {
            $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        }
        header = lines[0]
        rows = Array(lines.dropFirst())
    }

    func column(_ name: String) -> [String] {
        let i = header.firstIndex(of: name)!
        return rows.map { $0[i] }
    }

    func numbers(_ name: String) -> [Double] { column(name).map { Double($0) ?? .nan } }
}

/// Asserts |a − b| ≤ tolerance · max(1, |b|) elementwise, NaN matching NaN.
func assertClose(_ a: [Double], _ b: [Double], tolerance: Double, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(a.count, b.count, what, file: file, line: line)
    var worst = 0.0, at = -1
    for i in 0..<min(a.count, b.count) {
        if a[i].isNaN || b[i].isNaN {
            XCTAssertEqual(a[i].isNaN, b[i].isNaN, "\(what)[\(i)]: \(a[i]) vs \(b[i])", file: file, line: line)
            continue
        }
        if a[i] == b[i] { continue }
        let error = abs(a[i] - b[i]) / max(1, abs(b[i]))
        if error > worst { worst = error; at = i }
    }
    XCTAssertLessThanOrEqual(worst, tolerance, "\(what): worst relative error \(worst) at \(at)", file: file, line: line)
}

final class ScanpyGoldenTests: XCTestCase {
    func testLoessMatchesScikitMisc() throws {
        for name in ["random", "ties"] {
            let table = try SimpleCSV(prepFixtures.appendingPathComponent("loess_\(name).csv"))
            let fitted = try Loess(span: 0.3, degree: 2).fittedValues(x: table.numbers("x"), y: table.numbers("y"))
            assertClose(fitted, table.numbers("fitted"), tolerance: 1e-9, "loess \(name)")
        }
    }

    func testSimulatedCounts() throws {
        try checkDataset("sim", path: prepFixtures.appendingPathComponent("sim_counts.h5ad").path, batchColumn: "batch")
    }

    func testPapalexiCounts() throws {
        try checkDataset("papalexi", path: try realDataPath(papalexiPath), batchColumn: "bio_rep")
    }

    /// Normalized values and every HVG case of the fixture script for one dataset.
    func checkDataset(_ name: String, path: String, batchColumn: String) throws {
        let data = try AnnData.read(path: path, options: ReadOptions(obsm: false))
        let counts = data.X!
        let log = Normalization.logNormalize(counts)
        let cells = try SimpleCSV(prepFixtures.appendingPathComponent("norm_\(name)_cells.csv"))
        let cellIndex = Dictionary(uniqueKeysWithValues: data.obs.index.enumerated().map { ($1, $0) })
        for row in cells.rows {
            let ours = log.denseRow(cellIndex[row[0]]!).map(Double.init)
            assertClose(ours, row.dropFirst().map { Double($0)! }, tolerance: 1e-6, "\(name) normalized cell \(row[0])")
        }
        let sums = try SimpleCSV(prepFixtures.appendingPathComponent("norm_\(name)_gene_sums.csv"))
        // numpy's SIMD log1pf may differ from glibc's by an ulp, so sums agree to float32 precision, not exactly.
        assertClose(log.columnSums(), sums.numbers("sum"), tolerance: 1e-6, "\(name) normalized gene sums")

        let batches = data.obs[batchColumn]!.labels().map { $0! }
        let genes = data.variables.index
        let cases: [(String, HVGFlavor, Bool, Bool, HVGSelection)] = [
            ("seurat_top", .seurat, false, false, .top(100)),
            ("seurat_cutoffs", .seurat, false, false, .cutoffs(HVGCutoffs())),
            ("cell_ranger_top", .cellRanger, false, false, .top(100)),
            ("seurat_v3_top", .seuratV3, true, false, .top(100)),
            ("seurat_batch", .seurat, false, true, .top(100)),
            ("cell_ranger_batch", .cellRanger, false, true, .top(100)),
            ("seurat_v3_batch", .seuratV3, true, true, .top(100)),
            ("seurat_v3_paper_batch", .seuratV3Paper, true, true, .top(100)),
        ]
        for (label, flavor, onCounts, batched, selection) in cases {
            let reference = try SimpleCSV(prepFixtures.appendingPathComponent("hvg_\(name)_\(label).csv"))
            XCTAssertEqual(reference.column("gene"), genes)
            let result = try HighlyVariableGenes.select(
                onCounts ? counts : log,
                options: HVGOptions(flavor: flavor, selection: selection),
                batches: batched ? batches : nil, geneNames: genes)
            let expected = Set(reference.column("highly_variable").indices.filter { reference.column("highly_variable")[$0] == "True" })
            XCTAssertEqual(Set(result.selectedGenes), expected, "\(name)/\(label): highly variable genes differ")
            // numpy ranks exactly tied normalized variances in its unstable argsort order, we by gene position:
            // such genes may swap adjacent ranks, so their ranks are not compared.
            let tied = flavor.wantsCounts && batched ? try exactlyTiedGenes(counts, batches: batches) : []
            for (column, values) in result.columns where column != "highly_variable" {
                var ours: [Double]
                switch values {
                case .numeric(let v, _): ours = v
                case .boolean(let v): ours = v.map { $0 ? 1 : 0 }
                default: XCTFail("unexpected column type"); continue
                }
                var theirs = reference.column(column).map { $0 == "True" ? 1 : ($0 == "False" ? 0 : (Double($0) ?? .nan)) }
                if column == "highly_variable_rank" {
                    for g in tied { ours[g] = 0; theirs[g] = 0 }
                }
                assertClose(ours, theirs, tolerance: 1e-6, "\(name)/\(label) \(column)")
            }
        }
    }

    /// Genes whose normalized variance in some batch equals another gene's exactly.
    func exactlyTiedGenes(_ counts: CSRMatrix, batches: [String]) throws -> Set<Int> {
        var tied = Set<Int>()
        for level in Set(batches) {
            let rows = batches.indices.filter { batches[$0] == level }
            let values = try SeuratV3HVG.batchNormalizedVariance(
                counts, rows: rows, moments: GeneMoments(counts, rows: rows),
                batch: level, span: 0.3)
            let groups = Dictionary(grouping: values.indices, by: { values[$0] })
            for (_, genes) in groups where genes.count > 1 { tied.formUnion(genes) }
        }
        return tied
    }
}
