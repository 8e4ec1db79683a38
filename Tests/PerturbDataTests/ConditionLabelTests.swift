import Foundation
import XCTest
import AnnData
import LinearAlgebra
@testable import PerturbData

let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

/// A path under ../shared/realdata, or a skip when the shared folder is absent (a user's clone).
func realDataPath(_ relative: String) throws -> String {
    let path = packageRoot.deletingLastPathComponent().appendingPathComponent("shared/realdata/\(relative)").path
    guard FileManager.default.fileExists(atPath: path) else { throw XCTSkip("real data not present: \(path)") }
    return path
}

final class ConditionLabelTests: XCTestCase {
    let labeling = ConditionLabeling(controlLabel: "non-targeting")

    func testCombinationsAreCanonical() {
        XCTAssertEqual(labeling.canonical("B+A"), "A+B")
        XCTAssertEqual(labeling.canonical("A+B"), "A+B")
        XCTAssertEqual(labeling.canonical("A+ctrl"), "A")
        XCTAssertEqual(labeling.canonical("ctrl+A"), "A")
        XCTAssertEqual(labeling.canonical("ctrl"), "non-targeting")
        XCTAssertEqual(labeling.canonical("ctrl+ctrl"), "non-targeting")
        XCTAssertEqual(labeling.canonical("non-targeting"), "non-targeting")
        XCTAssertEqual(labeling.canonical("C+A+B"), "A+B+C")
        XCTAssertEqual(labeling.canonical("A+A"), "A")
        XCTAssertEqual(labeling.canonical(" B + A "), "A+B")
    }

    func testMembersAndKinds() {
        XCTAssertEqual(labeling.members(of: "KLF1+ctrl"), ["KLF1"])
        XCTAssertTrue(labeling.isCombination("B+A"))
        XCTAssertFalse(labeling.isCombination("A+ctrl"))
        XCTAssertTrue(labeling.isControl("ctrl"))
    }

    /// Issue 26: blank labels (no guide detected) became controls without a message.
    func testBlankLabelsAreNeitherControlsNorPerturbations() {
        for blank in ["", " ", "\t  "] {
            XCTAssertEqual(labeling.canonical(blank), ConditionLabeling.blank)
            XCTAssertFalse(labeling.isControl(blank), "'\(blank)'")
            XCTAssertTrue(ConditionLabeling.isBlank(blank))
        }
        XCTAssertFalse(ConditionLabeling.isBlank("ctrl"))
        XCTAssertEqual(labeling.canonical("ctrl"), "non-targeting")
    }

    /// High-MOI guide lists: `;` separates members besides `+`; control members drop out; canonical labels use `+`.
    func testAComboSeparatorSplitsGuideLists() {
        let moi = ConditionLabeling(controlLabel: "non-targeting", comboSeparator: ";")
        XCTAssertEqual(moi.canonical("B;A;non-targeting"), "A+B")
        XCTAssertEqual(moi.canonical("non-targeting;non-targeting"), "non-targeting")
        XCTAssertEqual(moi.canonical("A;A"), "A")
        XCTAssertEqual(moi.canonical("A+B"), "A+B")
        XCTAssertTrue(moi.isCombination("A;B"))
        XCTAssertEqual(labeling.canonical("B;A"), "B;A", "without the option ';' is part of a name")
    }

    func testClosestLabelsRankByEditDistance() {
        XCTAssertEqual(editDistance("kitten", "sitting"), 3)
        XCTAssertEqual(
            closestLabels(to: "non-targeting", among: ["NT", "nontargeting", "STAT1", "non_targeting"], limit: 2),
            ["non_targeting", "nontargeting"])
    }
}
