import LinearAlgebra
import PerturbData
import Support
import XCTest

@testable import Models

final class SetSamplerTests: XCTestCase {
    /// Controls in batches b1 (cells 0–9) and b2 (10–19); A has 2,000 cells in b1, B 50 cells in b2.
    func data() -> PerturbationDataset {
        var labels = Array(repeating: "ctrl", count: 20), batches = Array(repeating: "b1", count: 10) + Array(repeating: "b2", count: 10)
        labels += Array(repeating: "A", count: 2000) + Array(repeating: "B", count: 50)
        batches += Array(repeating: "b1", count: 2000) + Array(repeating: "b2", count: 50)
        return PerturbationDataset(
            expression: CSRMatrix(zeros: labels.count, columns: 3), genes: ["g0", "g1", "g2"],
            cellIDs: labels.indices.map { "c\($0)" }, perturbations: labels, batches: batches, controlLabel: "ctrl", scale: .log1p)
    }

    func testSetsAreOneConditionWithMatchedControlsAndConditionsAreDrawnUniformly() throws {
        let d = data()
        let sampler = try SetSampler(d, options: .init(setSize: 16, setsPerStep: 1), model: "test")
        var rng = SeededRandom(seed: 1)
        var drawn: [String: Int] = [:]
        for _ in 0..<400 {
            let pair = sampler.step(&rng)[0]
            drawn[pair.condition.perturbation, default: 0] += 1
            XCTAssertEqual(pair.cells.count, 16)
            XCTAssertEqual(pair.controls.count, 16)
            XCTAssertTrue(
                pair.cells.allSatisfy { d.perturbations[$0] == pair.condition.perturbation && d.batches![$0] == pair.condition.batch })
            XCTAssertTrue(pair.controls.allSatisfy { d.perturbations[$0] == "ctrl" && d.batches![$0] == pair.condition.batch })
            // A has ≥ 16 cells: no repeats; the 10 matched controls are fewer than 16: drawn with replacement.
            if pair.condition.perturbation == "A" { XCTAssertEqual(Set(pair.cells).count, 16) }
        }
        // 2,000 cells against 50, drawn alike: 200 ± 3σ (σ = 10) each.
        XCTAssertEqual(Double(drawn["A"]!), 200, accuracy: 30)
        XCTAssertEqual(drawn["A"]! + drawn["B"]!, 400)
    }

    func testStepsCoverConditionsWithoutRepeatsAndAreSeeded() throws {
        let sampler = try SetSampler(data(), options: .init(setSize: 4, setsPerStep: 2), model: "test")
        var a = SeededRandom(seed: 7), b = SeededRandom(seed: 7)
        let first = sampler.step(&a)
        XCTAssertEqual(Set(first.map(\.condition.perturbation)), ["A", "B"], "two sets, two conditions: each once")
        XCTAssertEqual(first, sampler.step(&b), "same seed, same sets")
        let replaced = try SetSampler(data(), options: .init(setSize: 4, setsPerStep: 2, replacement: true), model: "test")
        XCTAssertEqual(replaced.step(&a).count, 2)
    }

    func testBadOptionsAndDataAreErrors() {
        XCTAssertThrowsError(try SetSampler(data(), options: .init(setSize: 0), model: "state-transition")) {
            XCTAssertTrue("\($0)".contains("set_size"))
        }
        let onlyControls = PerturbationDataset(
            expression: CSRMatrix(zeros: 3, columns: 2), genes: ["a", "b"], cellIDs: ["x", "y", "z"],
            perturbations: ["ctrl", "ctrl", "ctrl"], controlLabel: "ctrl", scale: .log1p)
        XCTAssertThrowsError(try SetSampler(onlyControls, options: .init(), model: "state-transition")) {
            XCTAssertTrue("\($0)".contains("no perturbed cells"))
        }
    }
}
