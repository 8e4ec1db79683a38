import AnnData
import Foundation
import Metrics
import PerturbData
import XCTest

/// Evaluating AnnData already in memory gives the same tables as evaluating the files, and reads no path.
final class InMemoryEvaluationTests: XCTestCase {
    func testInMemoryEqualsFiles() throws {
        for name in ["basic", "ties"] {
            let fixture = evalFixtures.appendingPathComponent(name)
            let realPath = fixture.appendingPathComponent("real.h5ad").path, predPath = fixture.appendingPathComponent("pred.h5ad").path
            for profile in ["full", "perturbench"] {
                let fromFiles = try EvaluationRun.compute(
                    EvaluationConfig(
                        realPath: realPath, predPath: predPath, outputDirectory: "",
                        profile: profile, threads: 2))
                var config = EvaluationConfig(
                    realPath: "/no/such/real.h5ad", predPath: "/no/such/pred.h5ad", outputDirectory: "",
                    profile: profile, threads: 2)
                config.realData = try AnnData.read(path: realPath, options: ReadOptions(matrix: .x, obsm: false))
                config.predData = try AnnData.read(path: predPath, options: ReadOptions(matrix: .x, obsm: false))
                let inMemory = try EvaluationRun.compute(config)
                XCTAssertEqual(fromFiles.count, inMemory.count)
                for (a, b) in zip(fromFiles, inMemory) {
                    XCTAssertEqual(a.results.columns, b.results.columns, "\(name) \(profile)")
                    XCTAssertEqual(a.results.perturbations, b.results.perturbations)
                    for (x, y) in zip(a.results.values.joined(), b.results.values.joined()) {
                        XCTAssertTrue(
                            x == y || (x?.isNaN == true && y?.isNaN == true),
                            "\(name) \(profile): \(String(describing: x)) vs \(String(describing: y))")
                    }
                    XCTAssertEqual(a.realDE?.groups.count, b.realDE?.groups.count)
                }
            }
        }
    }
}
