import LinearAlgebra

extension AnnData {
    /// The cells at `indices`, in that order: rows of `X`, layers, `obs` and `obsm`; `var` and `uns` unchanged.
    public func selectingCells(_ indices: [Int]) -> AnnData {
        AnnData(
            X: X?.selectingRows(indices), obs: obs.selectingRows(indices), variables: variables,
            obsm: obsm.mapValues { $0.selectingRows(indices) }, layers: layers.mapValues { $0.selectingRows(indices) },
            uns: uns)
    }

    /// The genes at `indices`, in that order: columns of `X` and layers, rows of `var`.
    public func selectingGenes(_ indices: [Int]) -> AnnData {
        AnnData(
            X: X?.selectingColumns(indices), obs: obs, variables: variables.selectingRows(indices), obsm: obsm,
            layers: layers.mapValues { $0.selectingColumns(indices) }, uns: uns)
    }
}
