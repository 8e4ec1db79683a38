import XCTest
@testable import Metrics

/// The metric registry: each metric registered once, profiles made of registered metrics.
final class MetricRegistryTests: XCTestCase {
    func testEachMetricIsRegisteredOnce() {
        let names = MetricRegistry.all.map(\.name)
        XCTAssertEqual(names.count, Set(names).count)
        // cell-eval 0.8.2 has 27 metrics, clustering_agreement last; every one is computed.
        XCTAssertEqual(MetricRegistry.cellEval.count, 27)
        XCTAssertEqual(MetricRegistry.cellEval.last?.name, "clustering_agreement")
        XCTAssertEqual(MetricRegistry.metric("de_nsig_counts")?.columns, ["de_nsig_counts_real", "de_nsig_counts_pred"])
    }

    func testProfilesAreListsOfRegisteredMetrics() throws {
        for profile in MetricRegistry.profiles {
            XCTAssertFalse(profile.metrics.isEmpty, profile.name)
            for name in profile.metrics { XCTAssertNotNil(MetricRegistry.metric(name), "\(profile.name): \(name)") }
        }
        XCTAssertEqual(try MetricRegistry.profile("vcc").metrics, ["mae", "discrimination_score_l1", "overlap_at_N"])
        XCTAssertEqual(try MetricRegistry.profile("full").metrics.first, "overlap_at_N")
        XCTAssertThrowsError(try MetricRegistry.profile("vc"))
    }

    func testNeedsComeFromTheRegistrations() {
        XCTAssertEqual(SideNeeds.of(["overlap_at_N"]), .de)
        XCTAssertEqual(SideNeeds.of(["mae", "discrimination_score_l1"]), [])
        XCTAssertEqual(SideNeeds.of(["pearson_edistance", "mmd_pca", "deg_recall"]), [.energy, .pca, .degRanking])
    }
}
