import ArgumentParser
import Foundation
import PerturbKit

/// `perturb fit`: fit a forward model on the training part of a split and save it as a model directory.
struct FitCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fit",
        abstract: "Fit a forward model on the training cells of a split; writes a model directory "
            + "(parameters, hyperparameters, gene set, training-data and split hashes, version).")

    @Argument(help: "Prepared .h5ad file (log1p; counts are normalized first).")
    var data: String?

    @Option(help: "Split JSON from `perturb split`; its columns name the perturbation, control, cell type and batch.")
    var split: String?

    @Option(help: "Model name (see --list).")
    var model = "linear-pca"

    @Option(name: .customLong("param"), help: "Hyperparameter as key=value (repeatable), e.g. --param lambda=0.5.")
    var params: [String] = []

    @Option(help: "Matrix to use instead of X.")
    var layer: String?

    @Option(help: "Seed of any random choice (default 0, or the model's --param seed=N; giving both with different values is an error).")
    var seed: UInt64?

    @Option(name: [.short, .customLong("output")], help: "Model directory to write.")
    var output: String?

    @Option(help: "Where a neural model trains: cpu (default), cuda or cuda:K (needs a CUDA-enabled libtorch: LIBTORCH=… swift build).")
    var device = "cpu"

    @Option(
        help:
            "Arithmetic of neural training: fp32 (default), bf16 or fp16 mixed precision (autocast; fp16 needs a CUDA device and uses loss scaling)."
    )
    var precision = "fp32"

    @Flag(help: "List the registered forward models and their hyperparameters, then exit (as `perturb models --forward`).")
    var list = false

    @OptionGroup var runOptions: RunOptions

    func validate() throws {
        if list { return }
        guard Device(parsing: device) != nil else { throw ValidationError("--device: expected cpu, cuda or cuda:K, got '\(device)'") }
        guard let arithmetic = Precision(parsing: precision) else {
            throw ValidationError("--precision: expected fp32, bf16 or fp16, got '\(precision)'")
        }
        if arithmetic == .float16 && device == "cpu" {
            throw ValidationError("--precision fp16 runs on a CUDA device (--device cuda); on the CPU use bf16")
        }
        guard data != nil, split != nil, output != nil else { throw ValidationError("give DATA, --split and -o/--output (or --list)") }
    }

    func run() throws {
        if list { return print(modelListing(forwardModels.declarations)) }
        guard let data, let split, let output else { return }
        try FitRun(
            data: data, split: split, model: model, hyperparameters: try Hyperparameters(parsing: params, model: model),
            layer: layer, seed: seed, output: output, threads: runOptions.threads, device: Device(parsing: device) ?? .cpu,
            precision: Precision(parsing: precision) ?? .float32
        )
        .run(log: runOptions.log, progress: runOptions.progress("reading X", unit: "entries"))
    }
}
