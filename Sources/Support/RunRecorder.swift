import Foundation

/// Records one run's provenance: started with the command line as typed, it writes the run's `Manifest`
/// (inputs' SHA-256, split hash, seed, wall time, outputs) atomically when the run has written its results.
/// Every command and workflow writes its manifest through one of these.
public struct RunRecorder: Sendable {
    /// The command line as typed.
    public let command: [String]
    /// When the run started.
    public let started: Date

    /// A recorder for `command`, started now.
    public init(command: [String] = CommandLine.arguments, started: Date = Date()) {
        self.command = command
        self.started = started
    }

    /// Writes the manifest to `path`, hashing each of `inputPaths`.
    public func finish(
        at path: String, inputPaths: [String], splitHash: String? = nil, seed: UInt64? = nil,
        outputs: [String]
    ) throws {
        // One file per thread: hashing is bound by memory bandwidth, not by one core.
        let hashes = parallelMap(inputPaths.count) { i in Result { try SHA256Hasher.hex(ofFile: inputPaths[i]) } }
        var inputs: [String: String] = [:]
        for (input, hash) in zip(inputPaths, hashes) { inputs[input] = try hash.get() }
        try finish(at: path, inputs: inputs, splitHash: splitHash, seed: seed, outputs: outputs)
    }

    /// Writes the manifest to `path` with input hashes already computed (e.g. while the input was read).
    public func finish(
        at path: String, inputs: [String: String], splitHash: String? = nil, seed: UInt64? = nil,
        outputs: [String]
    ) throws {
        try Manifest(
            command: command, inputs: inputs, splitHash: splitHash, seed: seed,
            wallSeconds: Date().timeIntervalSince(started), outputs: outputs
        ).write(to: path)
    }
}
