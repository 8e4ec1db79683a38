import AnnData
import LinearAlgebra
import PerturbData
import Support

/// Turns predicted deltas into cells, so that DE and every cell-level metric can run on predictions. Each
/// predicted cell comes from a control cell of the same context (cell type and batch, else cell type, else any),
/// drawn by a seeded permutation of those controls. A model with a sampler of its own (`sampleCells`) makes its
/// cells from them; for the others `CellGeneration` says how: resampled in count space so the cells' log1p mean
/// is the control mean plus the delta (default), or shifted by the delta and clipped at 0. A set model
/// (`predictSet`) gives the delta and each cell's response strength to the resampler (`SetResponse`), or its
/// predicted rows themselves to `shift`. The real control cells follow, unchanged.
public enum CellLevelPrediction {
    /// Predicted cells for `conditions` (with their cell counts) from the control cells of `controls`; `source`
    /// names the data in errors.
    public static func predict(
        _ model: some ForwardModel, controls: PerturbationDataset, conditions: [Condition: Int],
        seed: UInt64, cells generation: CellGeneration = .resample, source: String = "the control cells"
    ) throws -> PerturbationDataset {
        let data = controls.normalizedLog1p()
        guard !data.controlCells.isEmpty else {
            throw ModelError.unusableTrainingData(
                model: model.name, reason: "no control cells to predict from (label '\(data.controlLabel)')")
        }
        let controlsByContext = CellContext.controlCells(of: data)
        // Counts are recovered once, when the first condition needs the shared resampler.
        var resampler: CountResampler? = nil
        let controlRow = Dictionary(uniqueKeysWithValues: data.controlCells.enumerated().map { ($1, $0) })
        var rng = SeededRandom(seed: seed)
        var builder = CSRBuilder(columns: data.geneCount)
        var ids: [String] = [], labels: [String] = [], types: [String] = [], batches: [String] = []
        for condition in conditions.keys.sorted() {
            let count = conditions[condition]!
            let pool = ConditionDeltas.lookup(controlsByContext, CellContext(condition))!
            let order = rng.permutation(pool.count).map { pool[$0] }
            let sources = (0..<count).map { order[$0 % order.count] }
            let sourceRows = data.expression.selectingRows(sources), key = CountResampler.key(condition)
            if let own = try model.sampleCells(condition, sources: sourceRows, seed: seed ^ key) {
                precondition(own.rows == count && own.columns == data.geneCount, "a sampled cell per source cell")
                for k in 0..<count {
                    for p in own.range(ofRow: k) where own.values[p] != 0 {
                        builder.append(column: own.columnIndices[p], value: own.values[p])
                    }
                    builder.finishRow()
                }
            } else if generation == .resample {
                let generator =
                    try resampler
                    ?? CountResampler(recovered: try RecoveredCounts(controls, rows: data.controlCells, path: source), seed: seed)
                resampler = generator
                let response = try model.predictSet(condition, sources: sourceRows, seed: seed ^ key).map {
                    SetResponse(predicted: $0, sources: sourceRows)
                }
                let values = generator.generate(
                    sources: sources.map { controlRow[$0]! }, delta: try response?.delta ?? meanDelta(model, condition, data), key: key,
                    responses: response?.responses)
                for k in 0..<count {
                    for j in 0..<data.geneCount where values[k * data.geneCount + j] > 0 {
                        builder.append(column: Int32(j), value: values[k * data.geneCount + j])
                    }
                    builder.finishRow()
                }
            } else if let set = try model.predictSet(condition, sources: sourceRows, seed: seed ^ key) {
                precondition(set.rows == count && set.columns == data.geneCount, "a predicted cell per source cell")
                for k in 0..<count {
                    for j in 0..<data.geneCount where set[k, j] > 0 { builder.append(column: Int32(j), value: set[k, j]) }
                    builder.finishRow()
                }
            } else {
                let delta = try meanDelta(model, condition, data)
                for cell in sources { appendShifted(data.expression, row: cell, delta: delta, to: &builder) }
            }
            for cell in sources {
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

    /// The model's predicted delta for `condition`, asked for only where cells are made from it (a model with its
    /// own sampler or set does not need it).
    static func meanDelta(_ model: some ForwardModel, _ condition: Condition, _ data: PerturbationDataset) throws -> [Double] {
        let delta = try model.predictDelta(condition)
        precondition(delta.count == data.geneCount, "a delta per gene")
        return delta
    }

    /// One control cell plus `delta`, clipped at 0 (the `shift` generator).
    static func appendShifted(_ x: CSRMatrix, row: Int, delta: [Double], to builder: inout CSRBuilder) {
        var dense = delta
        for p in x.range(ofRow: row) { dense[Int(x.columnIndices[p])] += Double(x.values[p]) }
        for (j, v) in dense.enumerated() where v > 0 {
            let f = Float(v)
            if f > 0 { builder.append(column: Int32(j), value: f) }
        }
        builder.finishRow()
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
