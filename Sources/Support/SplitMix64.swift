/// SplitMix64 (Steele, Lea & Flood 2014): the one 64-bit mixing sequence of PerturbKit. It seeds
/// `SeededRandom`'s xoshiro256** state and drives the randomized PCA's test matrix; nothing else draws raw
/// random bits.
public struct SplitMix64: Sendable {
    /// The sequence's current state (advanced by the golden-ratio increment before each output).
    public var state: UInt64

    /// A sequence starting from `state` as given (callers mix their seed into it).
    public init(state: UInt64) { self.state = state }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
