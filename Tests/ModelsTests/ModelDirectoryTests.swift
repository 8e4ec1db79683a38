import XCTest
import AnnData
import PerturbData
@testable import Models

final class ModelDirectoryTests: XCTestCase {
    func testEveryModelRoundTripsThroughItsDirectoryWithIdenticalPredictions() throws {
        let parts = try simulatedParts()
        let directory = temporaryDirectory("models")
        for type in ForwardModels.all {
            let hyper = Hyperparameters()
            let fitted = try ForwardFitting.fit(type.name, hyperparameters: hyper, parts: parts, dataSHA256: "abc", seed: 1)
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
        let fitted = try ForwardFitting.fit("additive", hyperparameters: Hyperparameters(), parts: parts, dataSHA256: nil, seed: 0)
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
        try ForwardFitting.fit("linear-pca", hyperparameters: Hyperparameters(), parts: parts, dataSHA256: nil, seed: 0)
            .directory.write(to: path)
        let blob = path + "/parameters.bin"
        let data = try Data(contentsOf: URL(fileURLWithPath: blob))
        try data.dropLast(8).write(to: URL(fileURLWithPath: blob))
        XCTAssertThrowsError(try ModelDirectory(reading: path)) { XCTAssertTrue("\($0)".contains("parameters.bin"), "\($0)") }
        XCTAssertThrowsError(try ModelDirectory(reading: path + "-missing")) { XCTAssertTrue("\($0)".contains("model.json"), "\($0)") }
        let occupied = temporaryDirectory("occupied")
        try "keep me".write(toFile: occupied + "/notes.txt", atomically: true, encoding: .utf8)
        let fitted = try ForwardFitting.fit("control-mean", hyperparameters: Hyperparameters(), parts: parts, dataSHA256: nil, seed: 0)
        XCTAssertThrowsError(try fitted.directory.write(to: occupied)) { XCTAssertTrue("\($0)".contains("not a model directory"), "\($0)") }
        XCTAssertTrue(FileManager.default.fileExists(atPath: occupied + "/notes.txt"))
    }
}
