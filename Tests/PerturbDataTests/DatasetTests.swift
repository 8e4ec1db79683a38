import Foundation
import XCTest
import AnnData
import LinearAlgebra
@testable import PerturbData

final class DatasetTests: XCTestCase {
    /// Four cells, three genes, counts.
    func small(labels: [String] = ["non-targeting", "A", "B+A", "A+B"], genes: [String] = ["A", "B", "C"]) -> AnnData {
        let X = CSRMatrix(dense: Matrix<Float>(rowArrays: [[1, 0, 3], [0, 2, 0], [4, 0, 0], [1, 1, 1]]))
        var obs = DataFrame(index: ["c1", "c2", "c3", "c4"])
        try! obs.setColumn("target_gene", .categorical(Categorical(labels: labels)))
        try! obs.setColumn("batch", .string(["b1", "b1", "b2", "b2"]))
        return AnnData(X: X, obs: obs, variables: DataFrame(index: genes))
    }

    func testGroupsUseCanonicalLabels() throws {
        let data = try PerturbationDataset(small(), columns: DatasetColumns(batch: "batch"), path: "mem.h5ad")
        XCTAssertEqual(data.perturbationLabels, ["A", "A+B"])
        XCTAssertEqual(data.groups.cellsByPerturbation["A+B"], [2, 3], "B+A and A+B are one group")
        XCTAssertEqual(data.controlCells, [0])
        XCTAssertEqual(data.groups.conditions.count, 3, "c3 and c4 share A+B in b2")
        XCTAssertEqual(data.scale, .counts)
        XCTAssertEqual(data.selectingCells([3, 0]).perturbations, ["A+B", "non-targeting"])
    }

    func testMissingColumnListsAvailable() {
        XCTAssertThrowsError(try PerturbationDataset(small(), columns: DatasetColumns(perturbation: "guide"), path: "x.h5ad")) {
            XCTAssertEqual(
                $0 as? PerturbDataError,
                .missingColumn(
                    path: "x.h5ad", column: "guide",
                    available: ["target_gene", "batch"]))
            XCTAssertTrue("\($0)".contains("x.h5ad") && "\($0)".contains("target_gene"))
        }
    }

    func testAbsentControlSuggestsClosestLabels() {
        let data = small(labels: ["non_targeting", "A", "A", "B"])
        XCTAssertThrowsError(try PerturbationDataset(data, columns: DatasetColumns(), path: "x.h5ad")) {
            guard case .controlAbsent(_, _, let control, let closest)? = $0 as? PerturbDataError else { return XCTFail() }
            XCTAssertEqual(control, "non-targeting")
            XCTAssertEqual(closest.first, "non_targeting")
        }
    }

    func testDuplicateGenesAndEmptyMatrixAreRejected() {
        XCTAssertThrowsError(try PerturbationDataset(small(genes: ["A", "B", "A"]), columns: DatasetColumns(), path: "x.h5ad")) {
            XCTAssertEqual($0 as? PerturbDataError, .duplicateGenes(path: "x.h5ad", examples: ["A"], count: 1))
        }
        let empty = AnnData(X: CSRMatrix(zeros: 0, columns: 3), obs: DataFrame(index: []), variables: DataFrame(index: ["a", "b", "c"]))
        XCTAssertThrowsError(try PerturbationDataset(empty, columns: DatasetColumns(), path: "x.h5ad")) {
            XCTAssertEqual($0 as? PerturbDataError, .emptyMatrix(path: "x.h5ad", field: "X", rows: 0, columns: 3))
        }
    }

    /// Issue 26: NaN in X used to pass, giving NaN parameters and predicted cells of 0.
    func testNonFiniteValuesAreRejectedWithTheirPlace() {
        var data = small()
        var x = data.X!
        x.values[2] = .nan  // stored values by row: [1, 3], [2], [4], [1, 1, 1]: row 1 (c2), gene B
        x.values[5] = -.infinity
        data.X = x
        XCTAssertThrowsError(try PerturbationDataset(data, columns: DatasetColumns(), path: "x.h5ad")) {
            XCTAssertEqual(
                $0 as? PerturbDataError,
                .invalidValues(
                    path: "x.h5ad", field: "X",
                    reason: "2 NaN or infinite values, the first at row 1 (cell 'c2'), column 1 (gene 'B'); remove or impute them first"))
        }
    }

    func testDropLabelsRemovesCells() throws {
        let data = try PerturbationDataset(
            small(labels: ["non-targeting", "A", "unassigned", "A"]),
            columns: DatasetColumns(dropLabels: ["unassigned"]), path: "x")
        XCTAssertEqual(data.cellCount, 3)
        XCTAssertEqual(data.cellIDs, ["c1", "c2", "c4"])
    }

    func testScaleDetectionFollowsCellEval() {
        XCTAssertEqual(ValueScale.detect(CSRMatrix(dense: Matrix<Float>(rowArrays: [[1, 2], [0, 7]]))), .counts)
        XCTAssertEqual(ValueScale.detect(CSRMatrix(dense: Matrix<Float>(rowArrays: [[1.0005, 2]]))), .counts, "within 1e-3")
        XCTAssertEqual(ValueScale.detect(CSRMatrix(dense: Matrix<Float>(rowArrays: [[0.69314718, 2]]))), .log1p)
    }

    /// Issue 26: raw-count rows among log1p rows passed the file-wide detection and skewed every mean and DE test.
    func testMixedScalesAreRefusedNamingTheCells() throws {
        let mixed = CSRMatrix(
            dense: Matrix<Float>(rowArrays: [[0.7, 1.1, 2.3], [3, 0, 12], [5, 1, 2], [0, 0, 4], [0.2, 0.9, 0]]))
        // Row 1 holds 2 whole numbers (too few to judge), row 3 one; row 2 three.
        XCTAssertEqual(ValueScale.countsLikeRows(mixed), [2])
        XCTAssertEqual(ValueScale.countsLikeRows(CSRMatrix(dense: Matrix<Float>(rowArrays: [[1, 2, 3], [4, 5, 6]]))), [0, 1])
        var obs = DataFrame(index: ["c1", "c2", "c3", "c4", "c5"])
        XCTAssertNoThrow(
            try obs.setColumn("target_gene", .categorical(Categorical(labels: ["non-targeting", "A", "A", "non-targeting", "A"]))))
        let data = AnnData(X: mixed, obs: obs, variables: DataFrame(index: ["A", "B", "C"]))
        XCTAssertThrowsError(try PerturbationDataset(data, columns: DatasetColumns(), path: "x.h5ad")) {
            XCTAssertEqual(
                "\($0)",
                "x.h5ad: X: mixes scales: most rows are log1p-normalized (fractional values) but 1 of 5 rows hold only whole "
                    + "numbers, as raw counts do (cells 'c3'); normalize those cells the same way first")
        }
        // inspect describes such a file and says why the others refuse it.
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("mixed-\(UUID().uuidString).h5ad").path
        try data.write(to: path)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let summary = try DatasetSummary.inspect(path: path, columns: DatasetColumns())
        XCTAssertEqual(summary.valueProblems.count, 1)
        XCTAssertTrue(summary.rendered().contains("problem       \(path): X: mixes scales"), summary.rendered())
        // All-count files are counts, not mixed.
        XCTAssertNoThrow(
            try ValueScale.checkUniform(
                CSRMatrix(dense: Matrix<Float>(rowArrays: [[1, 2, 3], [4, 5, 6]])), scale: .counts, cellIDs: ["a", "b"], path: "p",
                field: "X"))
    }

    /// Issue 26: files indexed by Ensembl IDs name targets by symbol. `--gene-names-col` reads the symbols, made
    /// unique as anndata's `make_index_unique` does (checked against anndata 0.12: A, B, A, A-1, A, B, C →
    /// A, B, A-2, A-1, A-3, B-1, C); a missing symbol keeps its ID.
    func testGeneNamesFromAVarColumn() throws {
        var variables = DataFrame(index: (0..<8).map { "ENSG\($0)" })
        try variables.setColumn(
            "symbol",
            .nullableString(["A", "B", "A", "A-1", "A", "B", "C", ""], missing: [false, false, false, false, false, false, false, true]))
        let names = try GeneNames(variables, column: "symbol", path: "x.h5ad")
        XCTAssertEqual(names.names, ["A", "B", "A-2", "A-1", "A-3", "B-1", "C", "ENSG7"])
        XCTAssertEqual([names.suffixed, names.missing], [3, 1])
        let (reindexed, idColumn) = try names.reindexing(variables)
        XCTAssertEqual(idColumn, "gene_ids")
        XCTAssertEqual(reindexed.index, names.names)
        XCTAssertEqual(reindexed["gene_ids"]?.labels(), variables.index)
        XCTAssertThrowsError(try GeneNames(variables, column: "gene_symbol", path: "x.h5ad")) {
            XCTAssertTrue("\($0)".contains("var/gene_symbol"), "\($0)")
        }

        // A dataset read with the column uses the symbols as gene names; inspect names the unmeasured targets.
        var obs = DataFrame(index: (0..<4).map { "c\($0)" })
        try obs.setColumn("target_gene", .categorical(Categorical(labels: ["non-targeting", "A", "C+Z", "Q"])))
        let X = CSRMatrix(dense: Matrix<Float>(rowArrays: (0..<4).map { r in (0..<8).map { Float(($0 + r) % 3) } }))
        let data = AnnData(X: X, obs: obs, variables: variables)
        let dataset = try PerturbationDataset(data, columns: DatasetColumns(geneNamesColumn: "symbol"), path: "x.h5ad")
        XCTAssertEqual(dataset.genes, names.names)
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("genes-\(UUID().uuidString).h5ad").path
        try data.write(to: path)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let bySymbol = try DatasetSummary.inspect(path: path, columns: DatasetColumns(geneNamesColumn: "symbol"))
        XCTAssertEqual(bySymbol.unmeasuredTargets, ["Q", "Z"])
        XCTAssertTrue(bySymbol.rendered().contains("unmeasured    2 perturbation members are not gene names here"), bySymbol.rendered())
        XCTAssertEqual(try DatasetSummary.inspect(path: path, columns: DatasetColumns()).unmeasuredTargets, ["A", "C", "Q", "Z"])
    }

    func testLog1pValuesOutsideRangeAreRejected() {
        var data = small()
        data.X = CSRMatrix(dense: Matrix<Float>(rowArrays: [[0.5, 0, 20.5], [0, 2, 0], [4, 0, 0], [1, 1, 1]]))
        XCTAssertThrowsError(try PerturbationDataset(data, columns: DatasetColumns(), path: "x.h5ad")) {
            guard case .invalidValues(_, let field, _)? = $0 as? PerturbDataError else { return XCTFail("\($0)") }
            XCTAssertEqual(field, "X")
        }
    }

    func testNormalizeTotalAndLog1pByHand() {
        // Library sizes 4, 2, 4, 3 → median of non-zero totals = (3 + 4) / 2 = 3.5.
        let counts = CSRMatrix(dense: Matrix<Float>(rowArrays: [[1, 0, 3], [0, 2, 0], [4, 0, 0], [1, 1, 1]]))
        XCTAssertEqual(Normalization.medianLibrarySize(counts), 3.5)
        // scanpy divides in float32 by float32(total / target): 1 / (4 / 3.5) = 0.87499994, 2 / (2 / 3.5) = 3.4999998.
        // sc.pp.normalize_total on this float32 CSR gives exactly these values.
        let normalized = Normalization.normalizeTotal(counts)
        XCTAssertEqual(normalized.denseRow(0), [0.87499994, 0, 2.625])
        XCTAssertEqual(normalized.denseRow(1), [0, 3.4999998, 0])
        XCTAssertEqual(normalized.denseRow(3), [1.1666666, 1.1666666, 1.1666666])
        let logged = Normalization.log1p(normalized)
        XCTAssertEqual(Double(logged.denseRow(0)[0]), log(1.875), accuracy: 1e-6)
        let fixed = Normalization.normalizeTotal(counts, targetSum: 10_000)
        let third: Float = 3333.3333  // scanpy: 3333.333251953125
        XCTAssertEqual(fixed.denseRow(3), [third, third, third])
    }

    func testRealFilesMatchTheIssueNumbers() throws {
        let devel = try DatasetSummary.inspect(
            path: try realDataPath("perturbench_devel/devel.h5ad"),
            columns: DatasetColumns(perturbation: "perturbation", control: "control"))
        XCTAssertEqual([devel.cells, devel.genes], [5961, 500])
        XCTAssertEqual(devel.scale, .log1p)
        XCTAssertEqual(devel.perturbations, 33)
        XCTAssertEqual(devel.combinations, 15)
        XCTAssertEqual(devel.controlCells, 400)

        let papalexi = try DatasetSummary.inspect(
            path: try realDataPath("sceptre_papalexi_lowmoi/papalexi2021_lowmoi_subset.h5ad"),
            columns: DatasetColumns(perturbation: "perturbation", control: "non-targeting"))
        XCTAssertEqual(papalexi.scale, .counts)
        XCTAssertEqual(papalexi.perturbations, 26)
        XCTAssertEqual(papalexi.controlCells, 2304)
        XCTAssertEqual(papalexi.unassignedLabels, [.init(label: "unassigned", cells: 966)])
        XCTAssertTrue(papalexi.rendered().contains("unassigned (966)"))
    }
}
