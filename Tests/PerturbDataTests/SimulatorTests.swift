import Foundation
import Support
import XCTest
import AnnData
import LinearAlgebra
@testable import PerturbData

final class SimulatorTests: XCTestCase {
    func config(seed: UInt64 = 1) -> SimulationConfig {
        var c = SimulationConfig()
        c.perturbations = 12
        c.doubles = 4
        c.cellsPerPerturbation = 60
        c.genes = 300
        c.modules = 6
        c.cellTypes = 2
        c.batches = 2
        c.seed = seed
        return c
    }

    func testSameSeedSameCountsWhateverTheThreads() throws {
        let a = try Simulator.run(config(), threads: 1)
        let b = try Simulator.run(config(), threads: 3)
        XCTAssertEqual(a.data.X, b.data.X)
        XCTAssertEqual(a.data.obs, b.data.obs)
        XCTAssertEqual(a.effects, b.effects)
        let c = try Simulator.run(config(seed: 2), threads: 2)
        XCTAssertNotEqual(a.data.X, c.data.X)
    }

    func testLayoutLabelsAndTruth() throws {
        let sim = try Simulator.run(config())
        let cfg = config()
        XCTAssertEqual(sim.data.cellCount, cfg.effectiveControlCells + (cfg.perturbations + cfg.doubles) * cfg.cellsPerPerturbation)
        XCTAssertEqual(sim.effects.count, 16)
        let doubles = sim.effects.filter { $0.targets.count == 2 }
        XCTAssertEqual(doubles.count, 4)
        for d in doubles { XCTAssertEqual(d.label, d.targets.sorted().joined(separator: "+"), "canonical order") }
        // Every target names a gene in var.
        let genes = Set(sim.data.variables.index)
        XCTAssertTrue(sim.effects.allSatisfy { $0.targets.allSatisfy(genes.contains) })
        // A double's truth is its members' sum plus the interaction.
        let dataset = try PerturbationDataset(sim.data, columns: DatasetColumns(cellType: "cell_type", batch: "batch"), path: "sim")
        XCTAssertEqual(dataset.perturbationLabels.count, 16)
        XCTAssertEqual(dataset.scale, .counts)
        XCTAssertEqual(Set(dataset.cellTypes!), ["type1", "type2"])
        // Some perturbations are strong, some near-null: the spread of effect sizes is wide.
        let sizes = sim.effects.prefix(12).map { e in
            e.logFoldChange.enumerated().filter { !e.targets.contains(sim.data.variables.index[$0.offset]) }
                .map { abs($0.element) }.max() ?? 0
        }
        XCTAssertGreaterThan(sizes.max()! / max(sizes.min()!, 1e-9), 5, "heterogeneous effect sizes")
        XCTAssertTrue(sim.effects.allSatisfy { (0.25...1).contains($0.penetrance) })
    }

    func testKnockdownIsVisibleInTheCounts() throws {
        let sim = try Simulator.run(config())
        let data = try PerturbationDataset(sim.data, columns: DatasetColumns(), path: "sim").normalizedLog1p()
        let control = data.expression.columnMeans(rows: data.controlCells)
        var lower = 0
        let singles = sim.effects.filter { $0.targets.count == 1 }
        for effect in singles {
            let gene = data.genes.firstIndex(of: effect.targets[0])!
            let perturbed = data.expression.columnMeans(rows: data.groups.cellsByPerturbation[effect.label]!)
            if perturbed[gene] < control[gene] - 0.1 { lower += 1 }
        }
        XCTAssertEqual(lower, singles.count, "every target is knocked down on average")
    }

    func testTruthRoundTripsThroughTheFile() throws {
        let sim = try Simulator.run(config()).withLog1pX()
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("sim-\(UUID().uuidString).h5ad").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try sim.data.write(to: path, options: WriteOptions(gzipLevel: 4))
        let back = try AnnData.read(path: path, options: ReadOptions(layers: ["counts"], uns: [Simulator.unsKey]))
        XCTAssertEqual(back.layers["counts"], sim.data.layers["counts"])
        XCTAssertEqual(ValueScale.detect(back.X!), .log1p)
        guard case .dictionary(let truth)? = back.uns[Simulator.unsKey],
            case .strings(let labels)? = truth["perturbations"],
            case .array(let lfc, let shape)? = truth["true_log_fold_change"]
        else { return XCTFail("truth missing") }
        XCTAssertEqual(labels, sim.effects.map(\.label))
        XCTAssertEqual(shape, [16, 300])
        XCTAssertEqual(Array(lfc.prefix(300)), sim.effects[0].logFoldChange)
    }

    func testInvalidConfigurationsAreExplained() {
        var c = config()
        c.perturbations = 200
        XCTAssertThrowsError(try Simulator.run(c)) { XCTAssertTrue("\($0)".contains("--perturbations")) }
        c = config()
        c.doubles = 1000
        XCTAssertThrowsError(try Simulator.run(c)) { XCTAssertTrue("\($0)".contains("--doubles")) }
    }

    func testSamplersHaveTheRightMoments() {
        var rng = SeededRandom(seed: 9)
        let n = 40_000
        func moments(_ draw: (inout SeededRandom) -> Double) -> (Double, Double) {
            let xs = (0..<n).map { _ in draw(&rng) }
            let mean = xs.reduce(0, +) / Double(n)
            return (mean, xs.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n - 1))
        }
        let normal = moments { $0.normal() }
        XCTAssertEqual(normal.0, 0, accuracy: 0.03); XCTAssertEqual(normal.1, 1, accuracy: 0.03)
        let gamma = moments { $0.gamma(shape: 2.5) }
        XCTAssertEqual(gamma.0, 2.5, accuracy: 0.05); XCTAssertEqual(gamma.1, 2.5, accuracy: 0.1)
        for mean in [3.0, 40.0] {
            let poisson = moments { Double($0.poisson(mean: mean)) }
            XCTAssertEqual(poisson.0, mean, accuracy: 0.03 * mean); XCTAssertEqual(poisson.1, mean, accuracy: 0.06 * mean)
        }
        let nb = moments { Double($0.negativeBinomial(mean: 10, theta: 2)) }
        XCTAssertEqual(nb.0, 10, accuracy: 0.3); XCTAssertEqual(nb.1, 10 + 100.0 / 2, accuracy: 3)
    }
}
