import XCTest
import AnnData
import PerturbData
@testable import Models

final class ModelDirectoryTests: XCTestCase {
    func testEveryModelRoundTripsThroughItsDirectoryWithIdenticalPredictions() throws {
        let parts = try simulatedParts()
        let directory = temporaryDirectory("models")
        for type in forwardModels.all {
            let hyper = Hyperparameters()
            let fitted = try ForwardFitting.fit(
                type.name, hyperparameters: hyper, parts: parts, dataSHA256: "abc", context: FitContext(seed: 1))
            let before = try ForwardFitting.predict(fitted.model, part: parts.test, columns: parts.columns, seed: 4)
            let path = directory + "/" + type.name
            try fitted.directory.write(to: path)
            try fitted.directory.write(to: path)  // replacing an earlier model directory is allowed
            let loaded = try ModelDirectory(reading: path)
            XCTAssertEqual(loaded.modelName, type.name)
            XCTAssertEqual(loaded.state, fitted.directory.state, type.name)
            XCTAssertEqual(loaded.provenance.splitHash, parts.split.contentHash)
            let after = try ForwardFitting.predict(try loaded.model(), part: parts.test, columns: parts.columns, seed: 4)
            XCTAssertEqual(after.X, before.X, "\(type.name): fit → save → load → predict is identical")
            XCTAssertEqual(after.obs, before.obs)
        }
    }

    func testPredictingOnOtherGenesIsRefusedWithTheFirstDifference() throws {
        let parts = try simulatedParts()
        let fitted = try ForwardFitting.fit(
            "additive", hyperparameters: Hyperparameters(), parts: parts, dataSHA256: nil, context: FitContext(seed: 0))
        var renamed = parts.train.genes
        renamed.swapAt(3, 4)
        XCTAssertThrowsError(try fitted.directory.checkGenes(renamed, dataPath: "other.h5ad")) {
            XCTAssertTrue("\($0)".contains("other.h5ad") && "\($0)".contains("position 3"), "\($0)")
        }
        XCTAssertThrowsError(try fitted.directory.checkGenes(Array(renamed.dropLast(2)), dataPath: "fewer.h5ad")) {
            XCTAssertTrue("\($0)".contains("\(renamed.count) genes") && "\($0)".contains("absent from the data"), "\($0)")
        }
        XCTAssertNoThrow(try fitted.directory.checkGenes(parts.train.genes, dataPath: "same.h5ad"))
    }

    func testDamagedDirectoriesAreClearErrors() throws {
        let parts = try simulatedParts()
        let path = temporaryDirectory("damaged") + "/model"
        try ForwardFitting.fit(
            "linear-pca", hyperparameters: Hyperparameters(), parts: parts, dataSHA256: nil, context: FitContext(seed: 0)
        )
        .directory.write(to: path)
        let blob = path + "/parameters.bin"
        let data = try Data(contentsOf: URL(fileURLWithPath: blob))
        // Issue 26: same-size garbage, or two parameter names swapped in model.json, used to load and predict
        // zeros, infinities or a trap; the recorded hash refuses both.
        try Data(repeating: 0xFF, count: data.count).write(to: URL(fileURLWithPath: blob))
        XCTAssertThrowsError(try ModelDirectory(reading: path)) {
            XCTAssertTrue("\($0)".contains("parameters.bin") && "\($0)".contains("SHA-256"), "\($0)")
        }
        try data.write(to: URL(fileURLWithPath: blob))
        XCTAssertNoThrow(try ModelDirectory(reading: path))
        let jsonURL = URL(fileURLWithPath: path + "/model.json")
        let json = try String(contentsOf: jsonURL, encoding: .utf8)
        let names = try XCTUnwrap(
            (try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])?["parameters"] as? [[String: Any]]
        ).compactMap { $0["name"] as? String }
        XCTAssertGreaterThanOrEqual(names.count, 2)
        let swapped = json.replacingOccurrences(of: "\"\(names[0])\"", with: "\"@@\"")
            .replacingOccurrences(of: "\"\(names[1])\"", with: "\"\(names[0])\"").replacingOccurrences(
                of: "\"@@\"", with: "\"\(names[1])\"")
        try swapped.write(to: jsonURL, atomically: true, encoding: .utf8)
        XCTAssertThrowsError(try ModelDirectory(reading: path)) { XCTAssertTrue("\($0)".contains("SHA-256"), "\($0)") }
        try json.write(to: jsonURL, atomically: true, encoding: .utf8)
        try data.dropLast(8).write(to: URL(fileURLWithPath: blob))
        XCTAssertThrowsError(try ModelDirectory(reading: path)) { XCTAssertTrue("\($0)".contains("parameters.bin"), "\($0)") }
        XCTAssertThrowsError(try ModelDirectory(reading: path + "-missing")) { XCTAssertTrue("\($0)".contains("model.json"), "\($0)") }
        let occupied = temporaryDirectory("occupied")
        try "keep me".write(toFile: occupied + "/notes.txt", atomically: true, encoding: .utf8)
        let fitted = try ForwardFitting.fit(
            "control-mean", hyperparameters: Hyperparameters(), parts: parts, dataSHA256: nil, context: FitContext(seed: 0))
        XCTAssertThrowsError(try fitted.directory.write(to: occupied)) { XCTAssertTrue("\($0)".contains("not a model directory"), "\($0)") }
        XCTAssertTrue(FileManager.default.fileExists(atPath: occupied + "/notes.txt"))
    }

    /// Found by `scripts/fuzz model`, in model.json files without the parameters hash (directories from before it
    /// are loaded unchecked): `input.gene_count` with shape [0] trapped in NeuralInputs (index out of range), and
    /// a parameter shape whose product overflows trapped in ModelDirectory.
    func testFuzzedNeuralModelJSONsAreErrorsNotTraps() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let cases = [
            ("latent-additive-model.json", ["input.gene_count", "one whole number"]),
            ("latent-additive-model-shape.json", ["has shape", "parameters.bin cannot hold"]),
        ]
        for (fixture, needles) in cases {
            let path = temporaryDirectory("fuzzed") + "/model"
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            for file in ["genes.txt", "parameters.bin"] {
                try FileManager.default.copyItem(
                    atPath: root.appendingPathComponent("Fuzz/seeds/model-support/latent-additive/" + file).path,
                    toPath: path + "/" + file)
            }
            try FileManager.default.copyItem(
                atPath: root.appendingPathComponent("Tests/Fixtures/corrupt/" + fixture).path, toPath: path + "/model.json")
            XCTAssertThrowsError(try ModelDirectory(reading: path).model(), fixture) { error in
                for n in needles { XCTAssertTrue("\(error)".contains(n), "\(fixture): \(error)") }
            }
        }
    }
}

/// One seed per fit: where it comes from, and that a model without one is left alone.
final class FitContextTests: XCTestCase {
    func testTheSeedComesFromOnePlace() throws {
        let none = Hyperparameters(), seven = Hyperparameters(["seed": "7"])
        XCTAssertEqual(try FitContext(seed: nil, hyperparameters: none, model: "m").seed, 0)
        XCTAssertEqual(try FitContext(seed: 3, hyperparameters: none, model: "m").seed, 3)
        XCTAssertEqual(try FitContext(seed: nil, hyperparameters: seven, model: "m").seed, 7)
        XCTAssertEqual(try FitContext(seed: 7, hyperparameters: seven, model: "m").seed, 7)
        XCTAssertThrowsError(try FitContext(seed: 3, hyperparameters: seven, model: "m")) {
            XCTAssertEqual($0 as? ModelError, .conflictingSeed(model: "m", hyperparameter: "7", run: 3))
        }
        XCTAssertThrowsError(try FitContext(seed: nil, hyperparameters: Hyperparameters(["seed": "-1"]), model: "m"))
    }

    func testSeedingSetsTheSeedOnlyWhereTheModelTakesOne() throws {
        let context = FitContext(seed: 5)
        let neural = try forwardModels.type(named: "latent-additive"), baseline = try forwardModels.type(named: "linear-pca")
        XCTAssertTrue(neural.usesSeed)
        XCTAssertFalse(baseline.usesSeed)
        XCTAssertEqual(try context.seeding(Hyperparameters(["epochs": "2"]), for: neural).values, ["epochs": "2", "seed": "5"])
        XCTAssertEqual(try context.seeding(Hyperparameters(["k": "3"]), for: baseline).values, ["k": "3"])
        XCTAssertThrowsError(try context.seeding(Hyperparameters(["seed": "9"]), for: neural))
    }
}
