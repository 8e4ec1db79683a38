import Foundation

/// Provenance written beside every result: how it was made and from what.
public struct Manifest: Sendable, Codable, Equatable {
    /// The command line as typed.
    public var command: [String]
    /// PerturbKit's version.
    public var version: String
    /// SHA-256 of each input file, by path.
    public var inputs: [String: String]
    /// Content hash of the split used, if any.
    public var splitHash: String?
    /// Seed of the random choices, if any.
    public var seed: UInt64?
    /// Wall time in seconds.
    public var wallSeconds: Double
    /// Files written, by path.
    public var outputs: [String]

    public init(
        command: [String], inputs: [String: String] = [:], splitHash: String? = nil, seed: UInt64? = nil,
        wallSeconds: Double, outputs: [String]
    ) {
        self.command = command
        self.version = PerturbKitVersion.current
        self.inputs = inputs
        self.splitHash = splitHash
        self.seed = seed
        self.wallSeconds = wallSeconds
        self.outputs = outputs
    }

    /// Writes the manifest as pretty JSON, atomically.
    public func write(to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(try encoder.encode(self), to: path)
    }
}

/// The library's version, recorded in manifests and model directories.
public enum PerturbKitVersion {
    public static let current = "0.2.0"
}
