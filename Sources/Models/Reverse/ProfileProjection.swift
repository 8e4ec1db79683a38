import LinearAlgebra

/// Principal-component coordinates of profiles: PCA fit on the training profiles (randomized, seeded), applied
/// to training and query profiles alike. The shared feature space of `pca-knn`, `random-forest` and `xgboost`.
struct ProfileProjection: Sendable {
    let pca: PCA

    /// The top `components` axes of `profiles` (capped at profiles − 1 and at their rank).
    init(_ profiles: Matrix<Double>, components: Int, seed: UInt64) {
        let sparse = CSRMatrix(dense: profiles)
        pca = PCA.fit(sparse, rows: Array(0..<profiles.rows), components: components, iterations: 4, seed: seed)
    }

    /// Number of axes kept.
    var dimension: Int { pca.components.rows }

    /// Coordinates (profiles × dimension) of `profiles`.
    func transform(_ profiles: Matrix<Double>) -> Matrix<Double> {
        pca.transform(CSRMatrix(dense: profiles), rows: Array(0..<profiles.rows))
    }
}
