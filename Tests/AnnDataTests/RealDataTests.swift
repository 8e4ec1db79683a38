import Foundation
import XCTest
@testable import AnnData
import LinearAlgebra

/// The small real datasets in ../shared/realdata (absent in a user's clone: these tests then skip).
let realDataDirectory = packageRoot.deletingLastPathComponent().appendingPathComponent("shared/realdata")

func realDataPath(_ relative: String) throws -> String {
    let path = realDataDirectory.appendingPathComponent(relative).path
    guard FileManager.default.fileExists(atPath: path) else {
        throw XCTSkip("real data not present: \(path) (only in the project's shared folder)")
    }
    return path
}

final class RealDataReadTests: XCTestCase {
    func testPerturBenchDevel() throws {
        let path = try realDataPath("perturbench_devel/devel_with_counts.h5ad")
        let data = try AnnData.read(path: path, options: ReadOptions(layers: ["counts_reconstructed"]))
        XCTAssertEqual(data.cellCount, 5961)
        XCTAssertEqual(data.geneCount, 500)
        guard case .categorical(let perturbation)? = data.obs["perturbation"] else { return XCTFail("categorical expected") }
        XCTAssertEqual(perturbation.categories.count, 34)
        let counts = try XCTUnwrap(data.layers["counts_reconstructed"])
        XCTAssertEqual(counts.nonZeroCount, data.X!.nonZeroCount, "same sparsity pattern in X and its counts")
        XCTAssertTrue(counts.values.allSatisfy { $0 == $0.rounded() }, "counts are integers")
    }

    func testPapalexiAndItsGuideMatrix() throws {
        let path = try realDataPath("sceptre_papalexi_lowmoi/papalexi2021_lowmoi_subset.h5ad")
        let data = try AnnData.read(path: path)
        XCTAssertEqual(data.cellCount, 20729)
        XCTAssertEqual(data.geneCount, 299)
        XCTAssertEqual(data.obsm["grna_counts"]?.rows, 20729)
        guard case .boolean(let isControl)? = data.obs["is_control"] else { return XCTFail("bool column expected") }
        XCTAssertEqual(isControl.filter { $0 }.count, 2304)
    }

    func testL1000DenseBulkProfiles() throws {
        let path = try realDataPath("cmappy_l1000_ljp005/test_l1000.h5ad")
        let data = try AnnData.read(path: path)
        XCTAssertEqual(data.cellCount, 377)
        XCTAssertEqual(data.geneCount, 978)
    }
}
