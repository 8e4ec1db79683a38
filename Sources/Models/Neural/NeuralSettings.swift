import Neural

/// The hyperparameters every neural model shares: network size, optimizer, schedule, seed and threads.
public struct NeuralSettings: Sendable {
    public var hidden: Int
    public var latent: Int
    public var layers: Int
    public var dropout: Double
    public var learningRate: Double
    public var weightDecay: Double
    public var clipNorm: Double
    public var epochs: Int
    public var batchSize: Int
    public var patience: Int
    public var seed: UInt64
    public var threads: Int?
    public var referenceCells: Int
    public var checkpoint: String?
    /// Every hyperparameter as given (model-specific keys are read by the network).
    public var hyperparameters: Hyperparameters

    /// Keys, meanings and defaults.
    public static let help: [String: String] = [
        "hidden": "width of hidden layers (default 256)",
        "latent": "latent dimension (default 64)",
        "layers": "hidden layers per MLP (default 2)",
        "dropout": "dropout after each hidden layer (default 0.1)",
        "lr": "AdamW learning rate (default 1e-3)",
        "weight_decay": "AdamW decoupled weight decay (default 1e-4)",
        "clip": "gradient-norm clip (default 1; 0 = none)",
        "epochs": "maximum epochs (default 100)",
        "batch_size": "cells per mini-batch (default 128)",
        "patience": "epochs without a better validation pearson_delta before stopping (default 10; 0 = never)",
        "seed": "seed of initialization, batching and dropout (default: the run's --seed)",
        "threads": "libtorch intra-op threads (default: libtorch's own, all cores)",
        "reference_cells": "control cells per context kept to predict from (default 64)",
        "checkpoint": "file that holds the best parameters so far during training (default none)",
    ]

    public init(_ h: Hyperparameters, model: String, extra: [String: String]) throws {
        try h.check(known: Self.help.merging(extra) { a, _ in a }, model: model)
        hidden = try h.int("hidden", default: 256, in: 1...100_000, model: model)
        latent = try h.int("latent", default: 64, in: 1...100_000, model: model)
        layers = try h.int("layers", default: 2, in: 1...16, model: model)
        dropout = try h.double("dropout", default: 0.1, in: 0...0.95, model: model)
        learningRate = try h.double("lr", default: 1e-3, in: 1e-8...10, model: model)
        weightDecay = try h.double("weight_decay", default: 1e-4, in: 0...10, model: model)
        clipNorm = try h.double("clip", default: 1, in: 0...1e6, model: model)
        epochs = try h.int("epochs", default: 100, in: 1...100_000, model: model)
        batchSize = try h.int("batch_size", default: 128, in: 1...1_000_000, model: model)
        patience = try h.int("patience", default: 10, in: 0...100_000, model: model)
        seed = UInt64(try h.int("seed", default: 0, in: 0...Int.max, model: model))
        threads = h.string("threads") == nil ? nil : try h.int("threads", default: 1, in: 1...1024, model: model)
        referenceCells = try h.int("reference_cells", default: 64, in: 1...1_000_000, model: model)
        checkpoint = h.string("checkpoint")
        hyperparameters = h
    }

    /// Hidden widths of an MLP from `inputs` to `outputs`.
    public func sizes(_ inputs: Int, _ outputs: Int) -> [Int] { [inputs] + Array(repeating: hidden, count: layers) + [outputs] }

    /// An MLP from `inputs` to `outputs` with the shared width, depth and dropout.
    public func mlp(_ inputs: Int, _ outputs: Int, generator: Generator) throws -> MLP {
        try MLP(sizes(inputs, outputs), dropout: dropout, generator: generator)
    }

    /// AdamW over `parameters` with the shared learning rate and weight decay.
    public func optimizer(_ parameters: [Tensor]) throws -> Optimizer {
        try Optimizer(parameters: parameters, learningRate: learningRate, weightDecay: weightDecay)
    }
}
