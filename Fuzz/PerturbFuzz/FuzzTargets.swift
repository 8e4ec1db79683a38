import Foundation
import PerturbKit

/// libFuzzer entry points over PerturbKit's parsers of untrusted input. One binary serves every target; the
/// environment variable `FUZZ_TARGET` chooses which:
/// - `h5ad`: the bytes as an `.h5ad` file, read whole (X, layers, obs, var, obsm, uns) and as a perturbation
///   dataset;
/// - `toml`: the bytes as a benchmark configuration;
/// - `split`: the bytes as a `split.json`, read and checked against the obs of `FUZZ_SPLIT_DATA`;
/// - `model`: the bytes as a model directory's `model.json`, beside the `genes.txt` and `parameters.bin` of the
///   seed model it names (`FUZZ_MODEL_SUPPORT/<model>/`), read and instantiated.
/// Any thrown error is a correct answer; a crash, trap, hang or sanitizer report is a finding.
enum FuzzTarget: String {
    case h5ad, toml, split, model

    nonisolated(unsafe) static var current: FuzzTarget = .h5ad
    nonisolated(unsafe) static var scratch = ""
    nonisolated(unsafe) static var modelSupport = ""
    nonisolated(unsafe) static var splitData: DataFrame?

    func run(_ bytes: Data) {
        switch self {
        case .h5ad:
            let path = FuzzTarget.scratch + "/input.h5ad"
            guard FileManager.default.createFile(atPath: path, contents: bytes) else { return }
            // One open (one isolated check): the perturbation dataset is built from what was read.
            guard let file = try? H5ADFile(path: path) else { return }
            let layers = (try? file.layerKeys()) ?? []
            let options = ReadOptions(matrix: file.hasX ? .x : nil, layers: layers, uns: (try? file.unsKeys()) ?? [])
            if let data = try? AnnData.read(from: file, options: options), data.X != nil {
                _ = try? PerturbationDataset(data, columns: DatasetColumns(), path: path)
            }
        case .toml:
            _ = try? BenchmarkConfig(toml: String(decoding: bytes, as: UTF8.self), path: "fuzz.toml")
        case .split:
            let path = FuzzTarget.scratch + "/split.json"
            guard FileManager.default.createFile(atPath: path, contents: bytes) else { return }
            if let split = try? Split.read(from: path), let obs = FuzzTarget.splitData,
                let cells = try? SplitCells(obs: obs, columns: split.columns.datasetColumns, path: "data.h5ad")
            {
                _ = try? split.check(against: cells)
                _ = try? split.membership(of: cells)
            }
        case .model:
            let directory = FuzzTarget.scratch + "/model"
            let name =
                ((try? JSONSerialization.jsonObject(with: bytes)) as? [String: Any])?["model"] as? String ?? "linear-pca"
            let support = FuzzTarget.modelSupport + "/" + (name.contains("/") ? "linear-pca" : name)
            let manager = FileManager.default
            try? manager.removeItem(atPath: directory)
            try? manager.createDirectory(atPath: directory, withIntermediateDirectories: true)
            for file in ["genes.txt", "parameters.bin"] {
                try? manager.copyItem(atPath: support + "/" + file, toPath: directory + "/" + file)
            }
            guard manager.createFile(atPath: directory + "/model.json", contents: bytes) else { return }
            if let stored = try? ModelDirectory(reading: directory) { _ = try? stored.model() }
        }
    }
}

@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(
    _ argc: UnsafeMutablePointer<Int32>,
    _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32
) -> Int32

/// The executable's entry point (SwiftPM links `main` to it): sets the target up, then hands over to
/// libFuzzer's driver, which takes the usual libFuzzer arguments.
@_cdecl("PerturbFuzz_main")
public func fuzzMain(
    _ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
) -> Int32 {
    let environment = ProcessInfo.processInfo.environment
    guard let target = FuzzTarget(rawValue: environment["FUZZ_TARGET"] ?? "") else {
        FileHandle.standardError.write(Data("set FUZZ_TARGET to h5ad, toml, split or model\n".utf8))
        return 2
    }
    FuzzTarget.current = target
    FuzzTarget.scratch = NSTemporaryDirectory() + "perturb-fuzz-\(getpid())"
    FuzzTarget.modelSupport = environment["FUZZ_MODEL_SUPPORT"] ?? "Fuzz/seeds/model-support"
    if target == .split {
        let path = environment["FUZZ_SPLIT_DATA"] ?? "Fuzz/seeds/split-support/data.h5ad"
        FuzzTarget.splitData = try? AnnData.read(path: path, options: ReadOptions(matrix: nil, obsm: false)).obs
    }
    try? FileManager.default.createDirectory(atPath: FuzzTarget.scratch, withIntermediateDirectories: true)
    var count = argc
    var arguments = argv
    return runFuzzerDriver(&count, &arguments) { data, size in
        FuzzTarget.current.run(data.map { Data(bytes: $0, count: size) } ?? Data())
        return 0
    }
}
