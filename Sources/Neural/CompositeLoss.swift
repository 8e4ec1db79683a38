/// The weighted sum of set losses a set model trains on. `seedStudy` is the VCC seed study's mix
/// 0.60 · SW1 + 0.25 · ProtoInfoNCE + 0.10 · DE-rank + 0.05 · DE-direction; `mmd` alone is the default.
public struct CompositeLoss: Sendable, Equatable {
    public var mmd: Double
    public var slicedWasserstein: Double
    public var protoInfoNCE: Double
    public var deRank: Double
    public var deDirection: Double

    public init(mmd: Double = 0, slicedWasserstein: Double = 0, protoInfoNCE: Double = 0, deRank: Double = 0, deDirection: Double = 0) {
        self.mmd = mmd; self.slicedWasserstein = slicedWasserstein; self.protoInfoNCE = protoInfoNCE
        self.deRank = deRank; self.deDirection = deDirection
    }

    /// MMD alone.
    public static let mmdOnly = CompositeLoss(mmd: 1)
    /// The seed study's composite.
    public static let seedStudy = CompositeLoss(slicedWasserstein: 0.60, protoInfoNCE: 0.25, deRank: 0.10, deDirection: 0.05)

    /// One batch of C conditions: predicted and observed sets (each S × d), their pseudobulk deltas from the matched
    /// controls (C × d), the DE gene map and signs from the training data (C × d), the kernel and SW directions.
    public struct Batch {
        public var predictedSets: [Tensor]
        public var observedSets: [Tensor]
        public var predictedDeltas: Tensor
        public var observedDeltas: Tensor
        public var deMap: Tensor
        public var deSigns: Tensor
        public var kernel: DistributionLoss.Kernel
        public var directions: Tensor

        public init(
            predictedSets: [Tensor], observedSets: [Tensor], predictedDeltas: Tensor, observedDeltas: Tensor, deMap: Tensor,
            deSigns: Tensor, kernel: DistributionLoss.Kernel, directions: Tensor
        ) {
            self.predictedSets = predictedSets; self.observedSets = observedSets; self.predictedDeltas = predictedDeltas
            self.observedDeltas = observedDeltas; self.deMap = deMap; self.deSigns = deSigns; self.kernel = kernel
            self.directions = directions
        }
    }

    /// The weighted sum over the batch (set terms averaged over its conditions); terms of weight 0 are not computed.
    public func callAsFunction(_ batch: Batch) throws -> Tensor {
        guard batch.predictedSets.count == batch.observedSets.count, !batch.predictedSets.isEmpty else {
            throw DistributionLossError.shapes(
                loss: "composite", detail: "\(batch.predictedSets.count) predicted and \(batch.observedSets.count) observed sets")
        }
        var total = try Tensor.zeros([])
        func add(_ weight: Double, _ term: () throws -> Tensor) throws {
            guard weight != 0 else { return }
            total = try total + term().affine(scale: weight)
        }
        let sets = zip(batch.predictedSets, batch.observedSets).map { ($0, $1) }, n = Double(sets.count)
        try add(mmd) {
            try sets.dropFirst().reduce(try DistributionLoss.mmd(sets[0].0, sets[0].1, kernel: batch.kernel)) {
                try $0 + DistributionLoss.mmd($1.0, $1.1, kernel: batch.kernel)
            }.affine(scale: 1 / n)
        }
        try add(slicedWasserstein) {
            try sets.dropFirst().reduce(try DistributionLoss.slicedWasserstein1(sets[0].0, sets[0].1, directions: batch.directions)) {
                try $0 + DistributionLoss.slicedWasserstein1($1.0, $1.1, directions: batch.directions)
            }.affine(scale: 1 / n)
        }
        try add(protoInfoNCE) { try DistributionLoss.protoInfoNCE(predicted: batch.predictedDeltas, observed: batch.observedDeltas) }
        try add(deRank) { try DistributionLoss.deRank(predicted: batch.predictedDeltas, deMap: batch.deMap) }
        try add(deDirection) { try DistributionLoss.deDirection(predicted: batch.predictedDeltas, signs: batch.deSigns) }
        return total
    }
}
