import Foundation
import XCTest
import AnnData
import LinearAlgebra
@testable import PerturbData

/// A counts AnnData with the given labels; cell i expresses genes 0..<(1 + i % genes) with value 1 + (i + g) % 4.
func countsData(_ labels: [String], genes: Int = 6) throws -> AnnData {
    var builder = CSRBuilder(columns: genes)
    for i in labels.indices {
        for g in 0..<(1 + i % genes) { builder.append(column: Int32(g), value: Float(1 + (i + g) % 4)) }
        builder.finishRow()
    }
    var obs = DataFrame(index: labels.indices.map { "c\($0)" })
    try obs.setColumn("target_gene", .categorical(Categorical(labels: labels)))
    return AnnData(X: builder.build(), obs: obs, variables: DataFrame(index: (0..<genes).map { "G\($0)" }))
}

final class QualityControlTests: XCTestCase {
    func testLabelsAreCanonicalAndSmallConditionsDropped() throws {
        let labels =
            Array(repeating: "non-targeting", count: 3) + Array(repeating: "G1", count: 5) + Array(repeating: "G2", count: 4)
            + ["G2+G1", "G1+G2", "G1+G2+ctrl"] + ["G3+G4", "G4+G3"] + Array(repeating: "unassigned", count: 2)
        var options = PrepOptions(columns: DatasetColumns())
        options.qc.dropLabels = ["unassigned"]
        options.qc.minCellsPerSingle = 5
        options.qc.minCellsPerCombination = 3
        let (out, summary) = try Preprocessing.run(try countsData(labels), options: options, path: "t.h5ad")
        let kept = out.obs["target_gene"]!.labels().map { $0! }
        // G2 (4 < 5 cells) and G3+G4 (2 < 3) go; G1 (5) and G1+G2 (3 after canonicalization) stay; controls are exempt.
        XCTAssertEqual(kept, Array(repeating: "non-targeting", count: 3) + Array(repeating: "G1", count: 5) + ["G1+G2", "G1+G2", "G1+G2"])
        let steps = Dictionary(uniqueKeysWithValues: summary.steps.map { ($0.name, $0) })
        XCTAssertEqual(steps["canonical-labels"]!.details, ["3 cells relabelled"])  // G2+G1, G1+G2+ctrl, G4+G3
        // A label that means control is named.
        let (_, withCtrl) = try Preprocessing.run(
            try countsData(["non-targeting", "ctrl", "ctrl+ctrl", "G1"]), options: options, path: "t.h5ad")
        XCTAssertEqual(
            withCtrl.steps.first { $0.name == "canonical-labels" }?.details,
            [
                "2 cells relabelled", "'ctrl' counted as control 'non-targeting': 1 cells",
                "'ctrl+ctrl' counted as control 'non-targeting': 1 cells",
            ])
        XCTAssertEqual(steps["drop-labels"]!.cellsRemoved, 2)
        XCTAssertEqual(steps["condition-filter"]!.cellsRemoved, 6)
        XCTAssertEqual(steps["condition-filter"]!.details, ["G2: 4 cells", "G3+G4: 2 cells"])
        XCTAssertEqual(summary.outputCells, 11)
    }

    /// Issue 26: cells without a perturbation label (no guide detected) are dropped by prep with a note, and refused
    /// by every reader that would otherwise have to call them something; inspect counts them.
    func testBlankLabelsAreDroppedByPrepAndRefusedElsewhere() throws {
        let labels = Array(repeating: "non-targeting", count: 3) + ["G1", "G1", "", "  ", "G2;G1", "G1;non-targeting"]
        var options = PrepOptions(columns: DatasetColumns(comboSeparator: ";"))
        options.qc.minCellsPerSingle = 0
        options.qc.minCellsPerCombination = 0
        let data = try countsData(labels)
        let (out, summary) = try Preprocessing.run(data, options: options, path: "t.h5ad")
        XCTAssertEqual(
            out.obs["target_gene"]!.labels().map { $0! }, Array(repeating: "non-targeting", count: 3) + ["G1", "G1", "G1+G2", "G1"])
        guard case .categorical(let written)? = out.obs["target_gene"] else { return XCTFail("not categorical") }
        XCTAssertEqual(written.categories, ["G1", "G1+G2", "non-targeting"])
        let step = try XCTUnwrap(summary.steps.first { $0.name == "blank-labels" })
        XCTAssertEqual(step.cellsRemoved, 2)
        XCTAssertTrue(step.reason.contains("neither controls nor perturbed"), step.reason)

        let columns = DatasetColumns()
        XCTAssertThrowsError(try PerturbationDataset(data, columns: columns, path: "t.h5ad")) {
            XCTAssertEqual(
                "\($0)",
                "t.h5ad: obs['target_gene'] is blank for 2 cells (no perturbation assigned, e.g. no guide detected): they are "
                    + "neither controls nor perturbed; `perturb prep` drops them and says how many")
        }
        XCTAssertThrowsError(try SplitCells(obs: data.obs, columns: columns, path: "t.h5ad")) {
            XCTAssertTrue("\($0)".contains("blank for 2 cells"), "\($0)")
        }
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("blank-\(UUID().uuidString).h5ad").path
        try data.write(to: path)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let summaryOfFile = try DatasetSummary.inspect(path: path, columns: DatasetColumns(comboSeparator: ";"))
        XCTAssertEqual(summaryOfFile.blankCells, 2)
        XCTAssertEqual(summaryOfFile.cells, 9)
        XCTAssertEqual(summaryOfFile.controlCells, 3)
        XCTAssertEqual(summaryOfFile.perturbations, 2)  // G1 and G1+G2
        XCTAssertEqual(summaryOfFile.combinations, 1)
        XCTAssertTrue(summaryOfFile.rendered().contains("blank         2 cells with no perturbation label"), summaryOfFile.rendered())
    }

    /// `prep --gene-names-col symbol` writes a file indexed by symbols (made unique), the IDs kept in `gene_ids`.
    func testPrepIndexesGenesByAVarColumn() throws {
        var data = try countsData(Array(repeating: "non-targeting", count: 3) + ["G1", "G1"], genes: 3)
        var variables = DataFrame(index: ["ENSG0", "ENSG1", "ENSG2"])
        try variables.setColumn("symbol", .string(["KLF1", "TP53", "KLF1"]))
        data.variables = variables
        var options = PrepOptions(columns: DatasetColumns(geneNamesColumn: "symbol"))
        options.qc.minCellsPerSingle = 0
        let (out, summary) = try Preprocessing.run(data, options: options, path: "t.h5ad")
        XCTAssertEqual(out.variables.index, ["KLF1", "TP53", "KLF1-1"])
        XCTAssertEqual(out.variables["gene_ids"]?.labels(), ["ENSG0", "ENSG1", "ENSG2"])
        let step = try XCTUnwrap(summary.steps.first { $0.name == "gene-names" })
        XCTAssertEqual(step.details, ["1 repeated names made unique with -1, -2, …", "0 genes without a name kept their index entry"])
    }

    /// High-MOI screens (issue 26): labels from a guide-count matrix, every guide with at least the threshold's UMIs,
    /// as pertpy's `assign_by_threshold`; guides map to targets through a var column.
    func testLabelsFromGuideCounts() throws {
        let data = try countsData(Array(repeating: "?", count: 8))
        let counts: [[Float]] = [
            [0, 0, 0, 10], [6, 0, 0, 0], [5, 7, 0, 0], [8, 0, 9, 0], [0, 0, 4, 0], [0, 0, 5, 12], [0, 0, 0, 5], [0, 0, 0, 20],
        ]
        // The guide file lists the cells in another order, with one more.
        let order = [3, 0, 7, 1, 6, 2, 5, 4]
        var obs = DataFrame(index: order.map { "c\($0)" } + ["other"])
        try obs.setColumn("n_guides", .numeric(Array(repeating: 1, count: 9), .int64))
        var variables = DataFrame(index: ["KLF1_g1", "KLF1_g2", "TP53_g1", "NT_g1"])
        try variables.setColumn("target", .string(["KLF1", "KLF1", "TP53", "non-targeting"]))
        let guides = AnnData(
            X: CSRMatrix(dense: Matrix<Float>(rowArrays: order.map { counts[$0] } + [[1, 1, 1, 1]])), obs: obs, variables: variables)
        let assignment = GuideAssignment(threshold: 5, targetColumn: "target")
        var options = PrepOptions(columns: DatasetColumns())
        options.qc.minCellsPerSingle = 0
        options.qc.minCellsPerCombination = 0
        options.guides = (guides, "guides.h5ad", assignment)
        let (out, summary) = try Preprocessing.run(data, options: options, path: "t.h5ad")
        XCTAssertEqual(out.obs.index, ["c0", "c1", "c2", "c3", "c5", "c6", "c7"])
        XCTAssertEqual(
            out.obs["target_gene"]!.labels().map { $0! },
            ["non-targeting", "KLF1", "KLF1", "KLF1+TP53", "TP53", "non-targeting", "non-targeting"])
        let step = try XCTUnwrap(summary.steps.first { $0.name == "guide-assignment" })
        XCTAssertEqual(step.details, ["4 cells with one guide", "3 with several", "1 with none (blank labels)"])
        XCTAssertEqual(summary.steps.first { $0.name == "blank-labels" }?.cellsRemoved, 1)
        // Without the target column the guide names are the members; a cell missing from the guide file is an error.
        let byGuide = try GuideAssignment(threshold: 5).assign(cellIDs: ["c2"], guides: guides, path: "guides.h5ad")
        XCTAssertEqual(byGuide.labels, ["KLF1_g1+KLF1_g2"])
        XCTAssertThrowsError(try assignment.assign(cellIDs: ["c1", "c9"], guides: guides, path: "guides.h5ad")) {
            XCTAssertTrue("\($0)".contains("1 of 2 cells of the expression file have no guide counts (e.g. 'c9')"), "\($0)")
        }
    }

    func testCellAndGeneFilters() throws {
        // 12 cells: cell i has 1 + i % 6 genes; gene g is expressed in cells with i % 6 ≥ g.
        let data = try countsData(Array(repeating: "non-targeting", count: 12))
        var options = PrepOptions(columns: DatasetColumns())
        options.qc.minGenesPerCell = 3
        options.qc.minCellsPerGene = 5
        let (out, summary) = try Preprocessing.run(data, options: options, path: "t.h5ad")
        // Cells with i % 6 ≥ 2 stay: 8 cells. Among them gene g is expressed where i % 6 ≥ g: g ≤ 3 → ≥ 4 cells … count:
        // i % 6 ∈ {2,3,4,5} twice each, so gene g has 2 · (6 − max(g, 2)) cells: 8, 8, 8, 6, 4, 2 → genes 0–3 stay.
        XCTAssertEqual(out.cellCount, 8)
        XCTAssertEqual(out.variables.index, ["G0", "G1", "G2", "G3"])
        XCTAssertEqual(summary.steps.first { $0.name == "gene-filter" }!.details, ["G4", "G5"])
    }

    func testKeepByObsValue() throws {
        var data = try countsData(Array(repeating: "non-targeting", count: 6) + Array(repeating: "G1", count: 6))
        try data.obs.setColumn("dataset", .string((0..<12).map { $0 % 2 == 0 ? "a" : "b" }))
        var options = PrepOptions(columns: DatasetColumns())
        options.qc.minCellsPerSingle = 0
        options.qc.keep = ("dataset", ["a"])
        let (out, _) = try Preprocessing.run(data, options: options, path: "t.h5ad")
        XCTAssertEqual(out.obs.index, ["c0", "c2", "c4", "c6", "c8", "c10"])
        options.qc.keep = ("dataset", ["c"])
        XCTAssertThrowsError(try Preprocessing.run(data, options: options, path: "t.h5ad")) {
            XCTAssertTrue("\($0)".contains("obs/dataset"), "\($0)")
        }
    }
}

final class PreprocessingTests: XCTestCase {
    func simulated() throws -> AnnData {
        try AnnData.read(path: prepFixtures.appendingPathComponent("sim_counts.h5ad").path, options: ReadOptions(obsm: false))
    }

    func options(hvg: Int = 60, flavor: HVGFlavor = .seurat) -> PrepOptions {
        var options = PrepOptions(columns: DatasetColumns())
        options.qc.minCellsPerSingle = 0
        options.qc.minCellsPerCombination = 0
        options.normalize = true
        options.log1p = true
        options.countsLayer = "counts"
        options.hvg = HVGOptions(flavor: flavor, selection: .top(hvg))
        return options
    }

    func testNormalizeLogAndHVGSubset() throws {
        let data = try simulated()
        let (out, summary) = try Preprocessing.run(data, options: options(), path: "sim.h5ad")
        let log = Normalization.logNormalize(data.X!)
        let hv = try HighlyVariableGenes.select(log, options: HVGOptions(flavor: .seurat, selection: .top(60)))
        XCTAssertEqual(out.variables.index, hv.selectedGenes.map { data.variables.index[$0] })
        XCTAssertEqual(out.X, log.selectingColumns(hv.selectedGenes))
        XCTAssertEqual(out.layers["counts"], data.X!.selectingColumns(hv.selectedGenes))
        XCTAssertEqual(out.variables["highly_variable"], .boolean(Array(repeating: true, count: 60)))
        XCTAssertEqual(summary.outputGenes, 60)
    }

    /// Issue 26: a split edited to leak, with an edited hash, a foreign format or made for another file was accepted
    /// by prep, fit and predict (only `split --check` noticed). Prep and `SplitParts` (fit, predict, reverse) now
    /// check it first and name the split file and its problems.
    func testALeakingOrForeignSplitIsRefusedBeforeAnyFitting() throws {
        let data = try simulated()
        let cells = try SplitCells(obs: data.obs, columns: DatasetColumns(), path: "sim.h5ad")
        let good = try Split.make(cells, strategy: .unseenPerturbation(val: 0.16, test: 0.3), seed: 0).hashed()
        XCTAssertNoThrow(try SplitParts(data: data, path: "sim.h5ad", split: good, splitName: "s.json"))
        var leak = good
        leak.parts["train"]!.conditions.append(good.part("test").conditions[0])
        let leaked = try leak.hashed()  // re-hashed, so only the leak is wrong
        var edited = good
        edited.parts["train"]!.conditions.removeLast()
        var version = good
        version.format = "perturbkit-split/99"
        let fewer = data.selectingCells(Array(0..<(data.cellCount / 3)))
        let cases: [(Split, AnnData, String)] = [
            (leaked, data, "condition(s) in both train and test"), (edited, data, "content_hash does not match"),
            (try version.hashed(), data, "expected 'perturbkit-split/1'"), (good, fewer, "with no cells in the data"),
        ]
        for (split, cellsOf, needle) in cases {
            XCTAssertThrowsError(try SplitParts(data: cellsOf, path: "sim.h5ad", split: split, splitName: "s.json")) {
                XCTAssertTrue("\($0)".contains("s.json") && "\($0)".contains(needle), "\($0)")
            }
            var opts = options(flavor: .seuratV3)
            opts.split = split
            opts.splitName = "s.json"
            XCTAssertThrowsError(try Preprocessing.run(cellsOf, options: opts, path: "sim.h5ad")) {
                XCTAssertTrue("\($0)".contains("s.json") && "\($0)".contains(needle), "\($0)")
            }
        }
    }

    func testWithASplitEverythingIsFitOnTrainingCellsOnly() throws {
        let data = try simulated()
        let cells = try SplitCells(obs: data.obs, columns: DatasetColumns(), path: "sim.h5ad")
        let split = try Split.make(cells, strategy: .unseenPerturbation(val: 0.16, test: 0.3), seed: 0).hashed()
        var opts = options(flavor: .seuratV3)
        opts.split = split
        let (out, summary) = try Preprocessing.run(data, options: opts, path: "sim.h5ad")
        let member = try split.membership(of: cells)
        let train = member.indices.filter { member[$0] == 0 }
        XCTAssertEqual(summary.fitCells, train.count)
        XCTAssertLessThan(train.count, data.cellCount)
        // The same selection, computed by hand from the training rows only.
        let hv = try HighlyVariableGenes.select(data.X!.selectingRows(train), options: HVGOptions(flavor: .seuratV3, selection: .top(60)))
        XCTAssertEqual(out.variables.index, hv.selectedGenes.map { data.variables.index[$0] })
        let allCells = try HighlyVariableGenes.select(data.X!, options: HVGOptions(flavor: .seuratV3, selection: .top(60)))
        XCTAssertNotEqual(hv.selectedGenes, allCells.selectedGenes, "test cells would have changed the selection")
        let target = Normalization.medianLibrarySize(data.X!.selectingRows(train))
        XCTAssertEqual(out.X, Normalization.logNormalize(data.X!, targetSum: target).selectingColumns(hv.selectedGenes))
    }

    func testKeepTargetsAndRescale() throws {
        var opts = options(hvg: 10)
        opts.keepTargets = true
        opts.rescale = 10
        let data = try simulated()
        let (out, summary) = try Preprocessing.run(data, options: opts, path: "sim.h5ad")
        let labeling = ConditionLabeling(controlLabel: "non-targeting")
        let targets = Set(data.obs["target_gene"]!.labels().flatMap { labeling.members(of: $0!) })
        XCTAssertTrue(targets.isSubset(of: Set(out.variables.index)))
        // The HVGs are those of the log data before the rescale.
        let hv = try HighlyVariableGenes.select(
            Normalization.logNormalize(data.X!), options: HVGOptions(flavor: .seurat, selection: .top(10)))
        XCTAssertTrue(Set(hv.selectedGenes.map { data.variables.index[$0] }).isSubset(of: Set(out.variables.index)))
        XCTAssertEqual(
            out.variables["highly_variable"].map { c -> Int in
                if case .boolean(let v) = c { return v.filter { $0 }.count } else { return -1 }
            }, 10)
        XCTAssertGreaterThan(out.geneCount, 10)
        XCTAssertTrue(summary.steps.contains { $0.name == "rescale" })
        let log = Normalization.logNormalize(data.X!)
        let first = data.variables.index.firstIndex(of: out.variables.index[0])!
        XCTAssertEqual(out.X!.denseRow(0)[0], log.denseRow(0)[first] * 10)
    }

    func testSeuratV3OnACountsLayerWhenXIsLogData() throws {
        // scanpy's `highly_variable_genes(adata, flavor="seurat_v3", layer="counts")` on an already normalized file.
        let data = try simulated()
        var logged = data
        logged.X = Normalization.logNormalize(data.X!)
        logged.layers["counts"] = data.X!
        var opts = PrepOptions(columns: DatasetColumns())
        opts.qc.minCellsPerSingle = 0
        opts.qc.minCellsPerCombination = 0
        opts.hvg = HVGOptions(flavor: .seuratV3, selection: .top(30))
        opts.hvgLayer = "counts"
        let (out, _) = try Preprocessing.run(logged, options: opts, path: "log.h5ad")
        let expected = try HighlyVariableGenes.select(data.X!, options: HVGOptions(flavor: .seuratV3, selection: .top(30)))
        XCTAssertEqual(out.variables.index, expected.selectedGenes.map { data.variables.index[$0] })
        XCTAssertEqual(out.X, logged.X!.selectingColumns(expected.selectedGenes), "X stays the log data")
        opts.hvgLayer = "missing"
        XCTAssertThrowsError(try Preprocessing.run(logged, options: opts, path: "log.h5ad")) {
            XCTAssertTrue("\($0)".contains("layers/missing"), "\($0)")
        }
    }

    func testInputsThatCannotWorkAreClearErrors() throws {
        let data = try simulated()
        var logged = data
        logged.X = Normalization.logNormalize(data.X!)
        XCTAssertThrowsError(try Preprocessing.run(logged, options: options(), path: "log.h5ad")) { error in
            XCTAssertTrue("\(error)".contains("log.h5ad") && "\(error)".contains("needs raw counts"), "\(error)")
        }
        var v3 = PrepOptions(columns: DatasetColumns())
        v3.hvg = HVGOptions(flavor: .seuratV3, selection: .top(10))
        XCTAssertThrowsError(try Preprocessing.run(logged, options: v3, path: "log.h5ad")) {
            XCTAssertTrue("\($0)".contains("seurat_v3"), "\($0)")
        }
        var layer = PrepOptions(columns: DatasetColumns())
        layer.inputLayer = "raw"
        XCTAssertThrowsError(try Preprocessing.run(data, options: layer, path: "sim.h5ad")) {
            XCTAssertTrue("\($0)".contains("layers/raw"), "\($0)")
        }
        var seurat = PrepOptions(columns: DatasetColumns())
        seurat.hvg = HVGOptions(flavor: .seurat, selection: .top(10))
        XCTAssertThrowsError(try Preprocessing.run(data, options: seurat, path: "sim.h5ad")) {
            XCTAssertTrue("\($0)".contains("--normalize --log1p"), "\($0)")
        }
    }
}
