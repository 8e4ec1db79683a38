import CXGBoost
import Foundation
import LinearAlgebra

/// An error reported by the XGBoost C API, with XGBoost's own message.
public struct XGBoostError: Error, Equatable, CustomStringConvertible {
    /// What PerturbKit was doing.
    public let operation: String
    /// `XGBGetLastError()`.
    public let message: String
    public var description: String { "XGBoost \(operation) failed: \(message)" }
}

/// A gradient-boosted (or random-forest) multi-output regressor over XGBoost's C API: features (samples ×
/// features) to targets (samples × outputs). It owns its booster handle and frees it when released.
public final class Booster: @unchecked Sendable {
    private var handle: BoosterHandle?
    /// Number of input features and outputs it was trained with.
    public let featureCount: Int
    public let outputCount: Int

    private static func check(_ code: Int32, _ operation: String) throws {
        guard code == 0 else { throw XGBoostError(operation: operation, message: String(cString: XGBGetLastError())) }
    }

    /// A DMatrix over `features` (row-major Float32), with `labels` (samples × outputs) when training.
    private static func matrix(_ features: Matrix<Float>, labels: Matrix<Float>? = nil) throws -> DMatrixHandle {
        var out: DMatrixHandle?
        try features.storage.withUnsafeBufferPointer { buffer in
            try check(
                XGDMatrixCreateFromMat(
                    buffer.baseAddress, bst_ulong(features.rows), bst_ulong(features.columns),
                    Float.nan, &out), "creating the feature matrix")
        }
        guard let handle = out else { throw XGBoostError(operation: "creating the feature matrix", message: "no handle") }
        if let labels {
            do {
                try labels.storage.withUnsafeBufferPointer { buffer in
                    let address = UInt(bitPattern: buffer.baseAddress)
                    let interface =
                        "{\"data\":[\(address),true],\"shape\":[\(labels.rows),\(labels.columns)],"
                        + "\"typestr\":\"<f4\",\"version\":3}"
                    try check(XGDMatrixSetInfoFromInterface(handle, "label", interface), "setting the labels")
                }
            } catch {
                XGDMatrixFree(handle)
                throw error
            }
        }
        return handle
    }

    /// Trains for `rounds` boosting rounds with XGBoost `parameters` (objective `reg:squarederror`, `hist` trees,
    /// one thread count and seed given by the caller through `parameters`).
    public init(features: Matrix<Float>, labels: Matrix<Float>, parameters: [String: String], rounds: Int) throws {
        precondition(features.rows == labels.rows, "one label row per sample")
        featureCount = features.columns
        outputCount = labels.columns
        let data = try Booster.matrix(features, labels: labels)
        defer { XGDMatrixFree(data) }
        var dmats: [DMatrixHandle?] = [data]
        var booster: BoosterHandle?
        try Booster.check(XGBoosterCreate(&dmats, 1, &booster), "creating the booster")
        handle = booster
        let defaults = ["objective": "reg:squarederror", "tree_method": "hist", "verbosity": "0"]
        for (key, value) in defaults.merging(parameters, uniquingKeysWith: { _, given in given }).sorted(by: { $0.key < $1.key }) {
            try Booster.check(XGBoosterSetParam(booster, key, value), "setting \(key)=\(value)")
        }
        for round in 0..<rounds {
            try Booster.check(XGBoosterUpdateOneIter(booster, Int32(round), data), "boosting round \(round + 1)")
        }
    }

    deinit { if let handle { XGBoosterFree(handle) } }

    /// Predictions (samples × outputs) for `features` (samples × the training feature count).
    public func predict(_ features: Matrix<Float>) throws -> Matrix<Float> {
        guard features.columns == featureCount else {
            throw XGBoostError(operation: "prediction", message: "expected \(featureCount) features per sample, got \(features.columns)")
        }
        let data = try Booster.matrix(features)
        defer { XGDMatrixFree(data) }
        var shape: UnsafePointer<bst_ulong>?
        var dimension: bst_ulong = 0
        var result: UnsafePointer<Float>?
        let config = "{\"type\":0,\"training\":false,\"iteration_begin\":0,\"iteration_end\":0,\"strict_shape\":true}"
        try Booster.check(XGBoosterPredictFromDMatrix(handle, data, config, &shape, &dimension, &result), "prediction")
        let count = features.rows * outputCount
        guard dimension == 2, let shape, Int(shape[0]) == features.rows, Int(shape[1]) == outputCount, let result else {
            throw XGBoostError(operation: "prediction", message: "unexpected output shape")
        }
        return Matrix(rows: features.rows, columns: outputCount, storage: Array(UnsafeBufferPointer(start: result, count: count)))
    }
}
