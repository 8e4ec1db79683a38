import LinearAlgebra

/// The parts of an AnnData object PerturbKit works with.
///
/// `X` and layers are held as sparse CSR (`Float32`), whatever their on-disk encoding; `obsm` arrays as
/// dense `Double` matrices. `uns` holds only what was asked for (see `UnsValue`).
public struct AnnData: Sendable {
    /// The main expression matrix (cells × genes), if loaded.
    public var X: CSRMatrix?
    /// Per-cell annotations.
    public var obs: DataFrame
    /// Per-gene annotations.
    public var variables: DataFrame
    /// Per-cell matrices, e.g. `X_pca`.
    public var obsm: [String: Matrix<Double>]
    /// Additional expression matrices of the same shape as `X`.
    public var layers: [String: CSRMatrix]
    /// Unstructured annotations (only the supported subset).
    public var uns: [String: UnsValue]

    /// An AnnData object; `X`, when given, must be `obs.rowCount × variables.rowCount`.
    public init(
        X: CSRMatrix?, obs: DataFrame, variables: DataFrame, obsm: [String: Matrix<Double>] = [:],
        layers: [String: CSRMatrix] = [:], uns: [String: UnsValue] = [:]
    ) {
        if let X { precondition(X.rows == obs.rowCount && X.columns == variables.rowCount, "X shape differs from obs × var") }
        self.X = X
        self.obs = obs
        self.variables = variables
        self.obsm = obsm
        self.layers = layers
        self.uns = uns
    }

    /// Number of cells.
    public var cellCount: Int { obs.rowCount }
    /// Number of genes.
    public var geneCount: Int { variables.rowCount }
}

/// The subset of `uns` contents PerturbKit reads and writes: nested dictionaries of strings and numbers.
public indirect enum UnsValue: Sendable, Equatable {
    case dictionary([String: UnsValue])
    case string(String)
    case number(Double)
    case strings([String])
    /// A numeric array with its shape (row-major).
    case array([Double], shape: [Int])
}
