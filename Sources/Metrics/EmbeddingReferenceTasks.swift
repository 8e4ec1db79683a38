import Foundation
import LinearAlgebra
import Statistics
import Support

/// The tasks of the embedding hierarchy that Tx-Evaluation trains or fits on its split (`TxEvaluationSplit`),
/// computed as main_eval.py does (docs/DESIGN.md §5.5): kNN and iLISI keep the controls, the probe drops them, the
/// decoder learns on `train` and is scored on `test2`. Scores are fractions (the reference logs percent).
enum EmbeddingReferenceTasks {
    /// kNN (`WeightedKNNClassifier`): `train` cells vote for `test1` cells, controls included on both sides;
    /// k = the configured k or ⌊√n_train⌋, made odd; top-1 and top-5 accuracy. With `reducePCA`, 32 principal
    /// components of the (normalized) training rows.
    static func knn(_ x: Matrix<Double>, _ cells: EmbeddingCells, _ split: TxEvaluationSplit, _ options: EmbeddingTaskOptions)
        -> [(String, Double)]
    {
        let classes = split.train.map { cells.labels[$0] }.distinctInOrder
        let index = Dictionary(uniqueKeysWithValues: classes.enumerated().map { ($1, $0) })
        let queries = split.test1.filter { index[cells.labels[$0]] != nil }
        guard !split.train.isEmpty, !queries.isEmpty else { return [("top1", .nan), ("top5", .nan)] }
        var train = x.selectingRows(split.train), test = x.selectingRows(queries)
        if options.reducePCA {
            if options.knnDistance == .cosine {
                train = WeightedKNNClassifier.normalizedRows(train)
                test = WeightedKNNClassifier.normalizedRows(test)
            }
            let stacked = Matrix(rows: train.rows + test.rows, columns: train.columns, storage: train.storage + test.storage)
            let projected = PrincipalAxes.project(stacked, fitOn: Array(0..<train.rows), limit: 32).projected
            train = projected.selectingRows(Array(0..<train.rows))
            test = projected.selectingRows(Array(train.rows..<stacked.rows))
        }
        let k = neighbours(split.train.count, options)
        let ranked = WeightedKNNClassifier.rankedClasses(
            reference: train, labels: split.train.map { index[cells.labels[$0]]! }, classes: classes.count, queries: test,
            k: k, distance: options.knnDistance, temperature: options.knnTemperature, threads: options.threads)
        return topAccuracies(ranked, truth: queries.map { index[cells.labels[$0]]! }, top5: min(5, k))
    }

    /// Linear probe (`LinearModel`): a softmax layer trained with AdamW on the perturbed `train` cells, top-1 and
    /// top-5 accuracy on the perturbed `test1` cells; classes are the training perturbations.
    static func probe(_ x: Matrix<Double>, _ cells: EmbeddingCells, _ split: TxEvaluationSplit, _ options: EmbeddingTaskOptions)
        -> [(String, Double)]
    {
        let train = split.train.filter { !cells.isControl($0) }
        let classes = train.map { cells.labels[$0] }.distinctInOrder
        let index = Dictionary(uniqueKeysWithValues: classes.enumerated().map { ($1, $0) })
        let test = split.test1.filter { !cells.isControl($0) && index[cells.labels[$0]] != nil }
        guard !train.isEmpty, !test.isEmpty else { return [("top1", .nan), ("top5", .nan)] }
        let model = BLASThreads.singleThreaded {
            SoftmaxProbe.fit(
                x.selectingRows(train), labels: train.map { index[cells.labels[$0]]! }, classes: classes.count,
                training: options.probeTraining, seed: options.seed)
        }
        return topAccuracies(model.rankedClasses(x.selectingRows(test)), truth: test.map { index[cells.labels[$0]]! }, top5: 5)
    }

    /// iLISI (`TorchILISIMetric`): the mean per-cell LISI over batches of the `test1` cells, controls included, at
    /// perplexity k // 3 (k as for kNN, from the test1 size). With `reducePCA`, on the fewest principal components
    /// that explain 90 % of the variance, at least 32. NaN when test1 holds one batch.
    static func ilisi(_ x: Matrix<Double>, _ cells: EmbeddingCells, _ split: TxEvaluationSplit, _ options: EmbeddingTaskOptions)
        -> [(String, Double)]
    {
        let rows = split.test1
        // Over a single batch every LISI is 1: the reference reports that; we report NaN (with three batches,
        // 70 % for training leaves one test batch).
        guard Set(rows.map { cells.batches[$0] }).count > 1 else { return [("mean", .nan)] }
        let k = neighbours(rows.count, options)
        let perplexity = min(k / 3, (rows.count - 1) / 3)
        guard perplexity >= 1 else { return [("mean", .nan)] }
        var z = x.selectingRows(rows)
        if options.reducePCA {
            let (projected, shares) = PrincipalAxes.project(z, fitOn: Array(0..<z.rows))
            var cumulative = 0.0
            let needed =
                (shares.firstIndex {
                    cumulative += $0; return cumulative >= 0.9
                } ?? shares.count - 1) + 1
            let keep = min(max(32, needed), projected.columns)
            z = projected.selectingColumns(Array(0..<keep))
        }
        let scores = LISI.scores(z, labels: rows.map { cells.batches[$0] }, perplexity: perplexity, threads: options.threads)
        return [("mean", scores.reduce(0, +) / Double(scores.count))]
    }

    /// Reconstruction (`DecoderModel`): a ReLU MLP (`decoderDepth` hidden layers of interpolated width) from the
    /// embedding to the expression targets, trained on `train` (controls included) and scored on `test2`: Spearman
    /// per gene across cells, averaged over genes (genes constant in either are left out, where the reference's
    /// average becomes NaN), and Structural Integrity (control-centred per batch, as `StructuralTranscriptomeDistance`).
    static func reconstruction(
        _ x: Matrix<Double>, _ cells: EmbeddingCells, _ split: TxEvaluationSplit, targets y: Matrix<Double>,
        _ options: EmbeddingTaskOptions
    ) -> [(String, Double)] {
        guard !split.train.isEmpty, !split.test2.isEmpty else { return [("spearman", .nan), ("structural_integrity", .nan)] }
        let widths = MLPRegressor.interpolatedWidths(input: x.columns, output: y.columns, depth: options.decoderDepth)
        let model = MLPRegressor.fit(
            x.selectingRows(split.train).converted(to: Float.self), y.selectingRows(split.train).converted(to: Float.self),
            widths: widths, training: options.decoderTraining, seed: options.seed)
        let predicted = model.predict(x.selectingRows(split.test2).converted(to: Float.self)).converted(to: Double.self)
        let actual = y.selectingRows(split.test2)
        let g = y.columns, n = split.test2.count
        var rhos: [Double] = []
        for j in 0..<g {
            let rho = spearman((0..<n).map { predicted.storage[$0 * g + j] }, (0..<n).map { actual.storage[$0 * g + j] })
            if rho.isFinite { rhos.append(rho) }
        }
        let integrity = structuralIntegrity(
            predicted: predicted, actual: actual, batches: split.test2.map { cells.batches[$0] },
            isControl: split.test2.map { cells.isControl($0) })
        return [("spearman", rhos.isEmpty ? .nan : rhos.reduce(0, +) / Double(rhos.count)), ("structural_integrity", integrity)]
    }

    /// 1 − d / d_max as `StructuralTranscriptomeDistance` computes it: per batch, both matrices minus the batch's
    /// control mean (left as they are without controls), d_b = ‖P − Y‖_F / n_b and m_b = ‖Y‖_F / n_b; d = mean d_b,
    /// d_max = 2 · mean m_b.
    static func structuralIntegrity(predicted: Matrix<Double>, actual: Matrix<Double>, batches: [String], isControl: [Bool]) -> Double {
        let g = actual.columns
        var distance = 0.0, maximum = 0.0, count = 0
        var byBatch: [String: [Int]] = [:]
        for (r, b) in batches.enumerated() { byBatch[b, default: []].append(r) }
        for b in byBatch.keys.sorted() {
            let rows = byBatch[b]!, controls = rows.filter { isControl[$0] }
            let muP = controls.isEmpty ? [Double](repeating: 0, count: g) : predicted.selectingRows(controls).columnMeans()
            let muA = controls.isEmpty ? [Double](repeating: 0, count: g) : actual.selectingRows(controls).columnMeans()
            var residual = 0.0, norm = 0.0
            for r in rows {
                for j in 0..<g {
                    let a = actual.storage[r * g + j] - muA[j], p = predicted.storage[r * g + j] - muP[j]
                    residual += (p - a) * (p - a)
                    norm += a * a
                }
            }
            distance += residual.squareRoot() / Double(rows.count)
            maximum += norm.squareRoot() / Double(rows.count)
            count += 1
        }
        guard count > 0, maximum > 0 else { return .nan }
        return 1 - (distance / Double(count)) / (2 * maximum / Double(count))
    }

    /// main_eval.py's k for kNN and iLISI: the configured k, else ⌊√n⌋; made odd.
    static func neighbours(_ n: Int, _ options: EmbeddingTaskOptions) -> Int {
        let k = options.knnK ?? Int(Double(n).squareRoot())
        return k % 2 == 0 ? k + 1 : k
    }

    /// Top-1 and top-5 accuracy of ranked class lists.
    static func topAccuracies(_ ranked: [[Int]], truth: [Int], top5: Int) -> [(String, Double)] {
        var top1 = 0, topFive = 0
        for (list, t) in zip(ranked, truth) {
            if list.first == t { top1 += 1 }
            if list.prefix(top5).contains(t) { topFive += 1 }
        }
        return [("top1", EmbeddingTasks.ratio(top1, truth.count)), ("top5", EmbeddingTasks.ratio(topFive, truth.count))]
    }
}
