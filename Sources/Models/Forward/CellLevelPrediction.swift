import AnnData
import LinearAlgebra
import PerturbData
import Support

/// Turns predicted deltas into cells, so that DE and every cell-level metric can run on predictions: each
/// predicted cell is a control cell of the same context (cell type and batch, else cell type, else any),
/// drawn by a seeded permutation, plus the condition's predicted delta, clipped at 0 on the log scale. The
/// real control cells follow, unchanged.
public enum CellLevelPrediction {
    /// Predicted cells for `conditions` (with their cell counts) from the control cells of `controls`.
    public static func predict(
        _ model: some ForwardModel, controls: PerturbationDataset, conditions: [Condition: Int],
        seed: UInt64
    ) throws -> PerturbationDataset {
        let data = controls.normalizedLog1p()
        guard !data.controlCells.isEmpty else {
            throw ModelError.unusableTrainingData(model: model.name, reason: "no control cells to shift (label '\(data.controlLabel)')")
        }
        let controlsByContext = CellContext.controlCells(of: data)
        var rng = SeededRandom(seed: seed)
        var builder = CSRBuilder(columns: data.geneCount)
        var ids: [String] = [], labels: [String] = [], types: [String] = [], batches: [String] = []
        var dense = [Double](repeating: 0, count: data.geneCount)
        for condition in conditions.keys.sorted() {
            let count = conditions[condition]!
            let delta = try model.predictDelta(condition)
            precondition(delta.count == data.geneCount, "a delta per gene")
            let pool = ConditionDeltas.lookup(controlsByContext, CellContext(condition))!
            let order = rng.permutation(pool.count).map { pool[$0] }
            for k in 0..<count {
                let cell = order[k % order.count]
                for j in dense.indices { dense[j] = delta[j] }
                for p in data.expression.range(ofRow: cell) {
                    dense[Int(data.expression.columnIndices[p])] += Double(data.expression.values[p])
                }
                for (j, v) in dense.enumerated() where v > 0 {
                    let f = Float(v)
                    if f > 0 { builder.append(column: Int32(j), value: f) }
                }
                builder.finishRow()
                ids.append("pred.\(ids.count)")
                labels.append(condition.perturbation)
                types.append(condition.cellType ?? data.cellTypes?[cell] ?? "")
                batches.append(condition.batch ?? data.batches?[cell] ?? "")
            }
        }
        for cell in data.controlCells {
            for p in data.expression.range(ofRow: cell) {
                builder.append(column: data.expression.columnIndices[p], value: data.expression.values[p])
            }
            builder.finishRow()
            ids.append(data.cellIDs[cell])
            labels.append(data.controlLabel)
            types.append(data.cellTypes?[cell] ?? "")
            batches.append(data.batches?[cell] ?? "")
        }
        return PerturbationDataset(
            expression: builder.build(), genes: data.genes, cellIDs: ids, perturbations: labels,
            cellTypes: data.cellTypes == nil ? nil : types, batches: data.batches == nil ? nil : batches,
            controlLabel: data.controlLabel, scale: .log1p)
    }

    /// The conditions of `part` other than the controls, with their cell counts: what to predict for it.
    public static func requests(for part: PerturbationDataset) -> [Condition: Int] {
        var out: [Condition: Int] = [:]
        for (condition, cells) in part.groups.cellsByCondition where condition.perturbation != part.controlLabel {
            out[condition] = cells.count
        }
        return out
    }
}

extension PerturbationDataset {
    /// This dataset as AnnData: X, categorical obs columns named by `columns` (perturbation, and cell type and
    /// batch when present), gene names as var.
    public func annData(columns: DatasetColumns) throws -> AnnData {
        var obs = DataFrame(index: cellIDs)
        try obs.setColumn(columns.perturbation, .categorical(Categorical(labels: perturbations)))
        if let name = columns.cellType, let values = cellTypes { try obs.setColumn(name, .categorical(Categorical(labels: values))) }
        if let name = columns.batch, let values = batches { try obs.setColumn(name, .categorical(Categorical(labels: values))) }
        return AnnData(X: expression, obs: obs, variables: DataFrame(index: genes))
    }
}
