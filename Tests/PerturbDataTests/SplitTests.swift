import Foundation
import XCTest
import AnnData
@testable import PerturbData

/// Cells of a hand-made obs table: `counts[label]` cells per label, optional cell type and batch cycling.
func splitCells(
    _ counts: [(String, Int)], cellTypes: [String]? = nil, batches: [String]? = nil,
    control: String = "non-targeting"
) throws -> SplitCells {
    var labels: [String] = []
    for (label, n) in counts { labels += Array(repeating: label, count: n) }
    var obs = DataFrame(index: labels.indices.map { "cell\($0)" })
    try obs.setColumn("target_gene", .categorical(Categorical(labels: labels)))
    if let cellTypes {
        try obs.setColumn("cell_type", .categorical(Categorical(labels: labels.indices.map { cellTypes[$0 % cellTypes.count] })))
    }
    if let batches { try obs.setColumn("batch", .categorical(Categorical(labels: labels.indices.map { batches[$0 % batches.count] }))) }
    let columns = DatasetColumns(
        perturbation: "target_gene", control: control, cellType: cellTypes == nil ? nil : "cell_type",
        batch: batches == nil ? nil : "batch")
    return try SplitCells(obs: obs, columns: columns, path: "test.h5ad")
}

final class SplitTests: XCTestCase {
    let singles = (0..<20).map { ("G\($0)", 10) }

    func testUnseenPerturbationFractionsAndDisjointParts() throws {
        let cells = try splitCells([("non-targeting", 100)] + singles)
        let split = try Split.make(cells, strategy: .unseenPerturbation(val: 0.15, test: 0.2), seed: 3).hashed()
        XCTAssertEqual(split.part("test").conditions.count, 4)
        XCTAssertEqual(split.part("val").conditions.count, 3)
        XCTAssertEqual(split.part("train").conditions.count, 13)
        XCTAssertEqual(split.part("test").controlCells.count, 20)
        XCTAssertEqual(split.part("val").controlCells.count, 15)
        XCTAssertEqual(split.part("train").controlCells.count, 65)
        let all = Split.partNames.flatMap { split.part($0).conditions }
        XCTAssertEqual(Set(all).count, 20)
        let report = try split.check(against: cells)
        XCTAssertTrue(report.passed, report.problems.joined(separator: "\n"))
        XCTAssertEqual(report.partSizes["test"]!.cells, 4 * 10 + 20)
    }

    func testSameSeedSameBytesDifferentSeedDifferent() throws {
        let cells = try splitCells([("non-targeting", 50)] + singles)
        let a = try Split.make(cells, strategy: .unseenPerturbation(val: 0.16, test: 0.2), seed: 7).hashed().jsonData()
        let b = try Split.make(cells, strategy: .unseenPerturbation(val: 0.16, test: 0.2), seed: 7).hashed().jsonData()
        let c = try Split.make(cells, strategy: .unseenPerturbation(val: 0.16, test: 0.2), seed: 8).hashed().jsonData()
        XCTAssertEqual(a, b)
        XCTAssertNotEqual(a, c)
    }

    func testComboTiersFollowTrainingSingles() throws {
        // Singles A…F; combinations of every kind, one whose member never occurs as a single (Z).
        let labels =
            ["A", "B", "C", "D", "E", "F"].map { ($0, 10) }
            + ["A+B", "B+C", "C+D", "D+E", "A+E", "E+F", "A+Z", "Y+Z", "F+B", "C+A"].map { ($0, 8) }
        let cells = try splitCells([("non-targeting", 40)] + labels)
        let split = try Split.make(cells, strategy: .combo(unseenSingles: 0.34, val: 0.0, test: 0.3), seed: 1)
        let tiers = try XCTUnwrap(split.tiers)
        let heldOut = Set(tiers["test"]!["single"]! + tiers["val"]!["single"]!)
        XCTAssertEqual(heldOut.count, 2)
        let trainSingles = Set(["A", "B", "C", "D", "E", "F"]).subtracting(heldOut)
        XCTAssertEqual(Set(tiers["train"]!["single"]!), trainSingles)
        let combinations = ["A+B", "B+C", "C+D", "D+E", "A+E", "E+F", "A+Z", "Y+Z", "B+F", "A+C"]
        for combination in combinations {
            let members = combination.split(separator: "+").map(String.init)
            let seen = members.filter { trainSingles.contains($0) }.count
            let expected = seen == 2 ? "seen2" : (seen == 1 ? "seen1" : "seen0")
            let placed = Split.partNames.compactMap { p in tiers[p]?[expected]?.contains(combination) == true ? p : nil }
            XCTAssertEqual(placed.count, 1, "\(combination) should be listed once as \(expected)")
            if expected != "seen2" { XCTAssertEqual(placed, ["test"], "\(combination) is \(expected): test only") }
        }
        XCTAssertTrue(tiers["test"]!["seen0"]!.contains("Y+Z"))
        XCTAssertTrue(try split.check(against: cells).passed)
    }

    func testCovariateTransferMovesAFractionOfTheHeldOutCellType() throws {
        let cells = try splitCells([("non-targeting", 60)] + singles, cellTypes: ["K562", "RPE1", "HepG2"])
        let split = try Split.make(
            cells,
            strategy: .covariateTransfer(
                column: "cell_type", holdout: ["RPE1"], holdoutCount: 1,
                moveToTrain: 0.3, val: 0.16, test: 0.2), seed: 0)
        let train = split.part("train").conditions
        XCTAssertEqual(train.filter { $0.hasSuffix("| K562") }.count, 20)
        XCTAssertEqual(train.filter { $0.hasSuffix("| HepG2") }.count, 20)
        XCTAssertEqual(train.filter { $0.hasSuffix("| RPE1") }.count, 6)
        let heldOut = split.part("val").conditions + split.part("test").conditions
        XCTAssertEqual(heldOut.count, 14)
        XCTAssertTrue(heldOut.allSatisfy { $0.hasSuffix("| RPE1") })
        let report = try split.check(against: cells)
        XCTAssertTrue(report.passed, report.problems.joined(separator: "\n"))
    }

    func testBatchHoldsOutWholeBatches() throws {
        let cells = try splitCells([("non-targeting", 60)] + singles, batches: ["b1", "b2", "b3"])
        let split = try Split.make(cells, strategy: .batch(column: "batch", test: ["b3"], testCount: 1, val: nil, valCount: 0), seed: 0)
        XCTAssertEqual(split.part("test").conditions, ["b3"])
        XCTAssertEqual(split.part("train").conditions, ["b1", "b2"])
        let member = try split.membership(of: cells)
        let batches = try cells.values(of: "batch")
        for i in 0..<cells.count { XCTAssertEqual(member[i], batches[i] == "b3" ? 2 : 0) }
        XCTAssertTrue(try split.check(against: cells).passed)
        // A perturbation seen only in the held-out batch (cell 260 falls in b3) is pointed out, not failed.
        let withZ = try splitCells([("non-targeting", 60)] + singles + [("Z", 1)], batches: ["b1", "b2", "b3"])
        let report = try Split.make(
            withZ, strategy: .batch(column: "batch", test: ["b3"], testCount: 1, val: nil, valCount: 0),
            seed: 0
        ).check(against: withZ)
        XCTAssertTrue(report.passed)
        XCTAssertTrue(report.notes.contains("1 test perturbation(s) never occur in the training batches: Z"), "\(report.notes)")
    }

    func testDataScalingSubsetsAreNestedAndShareValAndTest() throws {
        let cells = try splitCells([("non-targeting", 60)] + singles)
        let split = try Split.make(cells, strategy: .dataScaling(fractions: [0.25, 0.5, 1], val: 0.15, test: 0.2), seed: 2)
        let subsets = try XCTUnwrap(split.trainSubsets)
        XCTAssertEqual(subsets["0.25"]!.count, 3)
        XCTAssertTrue(Set(subsets["0.25"]!).isSubset(of: subsets["0.5"]!))
        XCTAssertEqual(Set(subsets["1.0"]!), Set(split.part("train").conditions))
        let base = try Split.make(cells, strategy: .unseenPerturbation(val: 0.15, test: 0.2), seed: 2)
        XCTAssertEqual(base.part("test"), split.part("test"))
        XCTAssertTrue(try split.check(against: cells).passed)
    }

    func testBadParametersAreClearErrors() throws {
        let cells = try splitCells([("non-targeting", 20)] + singles)
        XCTAssertThrowsError(try Split.make(cells, strategy: .unseenPerturbation(val: 0.5, test: 0.6), seed: 0)) { error in
            XCTAssertTrue("\(error)".contains("sum below 1"), "\(error)")
        }
        XCTAssertThrowsError(try Split.make(cells, strategy: .combo(unseenSingles: 0.1, val: 0.1, test: 0.2), seed: 0)) { error in
            XCTAssertTrue("\(error)".contains("combinations"), "\(error)")
        }
        XCTAssertThrowsError(
            try Split.make(
                cells,
                strategy: .covariateTransfer(
                    column: "cell_type", holdout: nil, holdoutCount: 1,
                    moveToTrain: 0.3, val: 0.1, test: 0.2), seed: 0)
        ) { error in
            XCTAssertTrue("\(error)".contains("cell_type"), "\(error)")
        }
    }
}

/// Hand-made splits that leak must fail `check` with a message saying how.
final class LeakySplitTests: XCTestCase {
    let cells: SplitCells = try! splitCells([("non-targeting", 30), ("A", 10), ("B", 10), ("C", 10), ("A+B", 8), ("A+C", 8)])

    func split(train: [String], val: [String] = [], test: [String], controls: [[Int]], tiers: [String: [String: [String]]]? = nil) -> Split
    {
        let parts = Dictionary(
            uniqueKeysWithValues: zip(Split.partNames, [train, val, test]).enumerated().map { i, pair in
                (pair.0, SplitPart(conditions: pair.1, controlCells: controls[i].map { "cell\($0)" }))
            })
        return Split(
            strategy: "combo", parameters: [:], seed: 0, columns: SplitColumns(cells.columns), unitColumns: ["target_gene"],
            cellCount: cells.count, parts: parts, tiers: tiers)
    }

    func problems(_ split: Split) throws -> String {
        let report = try split.check(against: cells)
        XCTAssertFalse(report.passed, "a leaky split passed")
        return report.problems.joined(separator: "\n")
    }

    func testTestConditionAlsoInTrain() throws {
        let text = try problems(split(train: ["A", "B"], test: ["B", "C"], controls: [Array(0..<20), [], Array(20..<30)]))
        XCTAssertTrue(text.contains("condition(s) in both train and test: B"), text)
        XCTAssertTrue(text.contains("10 cell(s) are in both train and test (a cell may belong to one part only)"), text)
    }

    func testControlCellInTwoParts() throws {
        let text = try problems(split(train: ["A", "B"], test: ["C"], controls: [Array(0..<20), [], Array(15..<30)]))
        XCTAssertTrue(text.contains("5 control cell(s) in both train and test"), text)
    }

    func testNoControlsInTest() throws {
        let text = try problems(split(train: ["A", "B"], test: ["C"], controls: [Array(0..<30), [], []]))
        XCTAssertTrue(text.contains("test has no control cells"), text)
    }

    func testCombinationTiersInconsistentWithTrainingSingles() throws {
        // C is not a training single, so A+C is seen1 and may not be trained on or called seen2.
        let leaky = split(
            train: ["A", "B", "A+C"], test: ["C", "A+B"], controls: [Array(0..<20), [], Array(20..<30)],
            tiers: ["train": ["single": ["A", "B"], "seen2": ["A+C"]], "test": ["single": ["C"], "seen2": ["A+B"]]])
        let text = try problems(leaky)
        XCTAssertTrue(text.contains("A+C is seen1"), text)
        XCTAssertTrue(text.contains("train holds combinations whose members are not all training singles: A+C"), text)
    }

    func testEditedFileFailsItsHash() throws {
        var made = try split(train: ["A", "B"], test: ["C"], controls: [Array(0..<20), [], Array(20..<30)]).hashed()
        XCTAssertTrue(try made.check(against: cells).passed)
        made.parts["train"]!.conditions.append("A+B")
        let text = try problems(made)
        XCTAssertTrue(text.contains("content_hash does not match"), text)
    }

    func testRoundTripThroughJSON() throws {
        let made = try Split.make(cells, strategy: .combo(unseenSingles: 0.34, val: 0, test: 0.5), seed: 4)
        let path = NSTemporaryDirectory() + "split-\(getpid()).json"
        defer { unlink(path) }
        try made.write(to: path)
        let read = try Split.read(from: path)
        XCTAssertEqual(read, try made.hashed())
        XCTAssertTrue(try read.check(against: cells).passed)
        try Data("{\"format\": 1}".utf8).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try Split.read(from: path)) { XCTAssertTrue("\($0)".contains(path), "\($0)") }
    }
}

/// The combo split of the Norman part of PerturBench's development file.
final class NormanSplitTests: XCTestCase {
    func testComboSplitOfNormanDoubles() throws {
        let path = try realDataPath("perturbench_devel/devel.h5ad")
        let data = try AnnData.read(path: path, options: ReadOptions(matrix: nil, obsm: false))
        let norman = data.obs["dataset"]!.labels().indices.filter { data.obs["dataset"]!.labels()[$0] == "norman19" }
        let cells = try SplitCells(
            obs: data.obs.selectingRows(norman), columns: DatasetColumns(perturbation: "perturbation", control: "control"),
            path: path)
        let split = try Split.make(cells, strategy: .combo(unseenSingles: 0.1, val: 0.16, test: 0.2), seed: 0)
        let tiers = try XCTUnwrap(split.tiers)
        let counted = ["seen0", "seen1", "seen2"].map { t in Split.partNames.reduce(0) { $0 + (tiers[$1]?[t]?.count ?? 0) } }
        XCTAssertEqual(counted.reduce(0, +), 15, "every Norman double is in one tier")
        XCTAssertEqual(Split.partNames.reduce(0) { $0 + (tiers[$1]?["single"]?.count ?? 0) }, 18)
        let report = try split.check(against: cells)
        XCTAssertTrue(report.passed, report.problems.joined(separator: "\n"))
    }
}
