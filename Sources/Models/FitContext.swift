import Neural

/// What a fit runs with besides its data and hyperparameters: the seed of every random choice, the threads, the
/// device of the neural models and where progress goes. The seed a run records (manifest, model directory,
/// benchmark record) is this one, and it is the one the model uses.
public struct FitContext: Sendable {
    /// Seed of every random choice of the fit.
    public var seed: UInt64
    /// Worker threads a model may use when its own `threads` hyperparameter is not given (nil: the library's
    /// default).
    public var threads: Int?
    /// Where training progress lines go (nil: nowhere).
    public var progress: (@Sendable (String) -> Void)?
    /// Where the neural models (libtorch) train: the CPU (default) or a CUDA device of a CUDA-enabled libtorch.
    /// Parameter draws are made on the CPU, so the initial network is the same everywhere; a fitted model's
    /// parameters come back to the CPU, where prediction runs. Models without libtorch ignore it.
    public var device: Device = .cpu
    /// The arithmetic of neural training on that device: float32 (default) or bfloat16/float16 mixed precision
    /// (`Neural.Precision`; float16 needs CUDA and gets loss scaling). Prediction runs in float32.
    public var precision: Precision = .float32

    /// A context with `seed`, optionally threads and a progress sink.
    public init(seed: UInt64, threads: Int? = nil, progress: (@Sendable (String) -> Void)? = nil) {
        self.seed = seed
        self.threads = threads
        self.progress = progress
    }

    /// The run's context when the seed may come from `--seed` (`given`), from `--param seed=N`, or from
    /// neither (0). Both at once must agree, or the run is refused: it could not record a single seed.
    public init(
        seed given: UInt64?, hyperparameters: Hyperparameters, model: String, threads: Int? = nil,
        progress: (@Sendable (String) -> Void)? = nil
    ) throws {
        self.threads = threads
        self.progress = progress
        guard let text = hyperparameters.values["seed"] else {
            seed = given ?? 0
            return
        }
        guard let fromParameter = UInt64(text) else {
            throw ModelError.invalidHyperparameter(model: model, key: "seed", value: text, expected: "a non-negative integer")
        }
        if let given, given != fromParameter {
            throw ModelError.conflictingSeed(model: model, hyperparameter: text, run: given)
        }
        seed = fromParameter
    }

    /// `hyperparameters` for a model of `type`: a model that uses a seed gets this context's seed as its `seed`
    /// hyperparameter (so its directory reproduces it); a different seed already there is an error.
    public func seeding(_ hyperparameters: Hyperparameters, for type: any RegisteredModel.Type) throws -> Hyperparameters {
        guard type.hyperparameterHelp["seed"] != nil else { return hyperparameters }
        var h = hyperparameters
        if let text = h.values["seed"], UInt64(text) != seed {
            throw ModelError.conflictingSeed(model: type.name, hyperparameter: text, run: seed)
        }
        h.values["seed"] = String(seed)
        return h
    }
}
