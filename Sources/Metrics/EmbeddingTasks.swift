import Foundation
import LinearAlgebra
import PerturbData
import Statistics
import Support

/// The tasks of the embedding hierarchy that need no split (consistency, relation recall) and our own definitions of
/// the others (docs/DESIGN.md §5.5), on one (post-processed) embedding.
enum EmbeddingTasks {
    /// Leave-one-batch-out folds: reference cells (other batches) and query cells (this batch, labels the
    /// reference has).
    static func folds(_ cells: EmbeddingCells) -> [(reference: [Int], query: [Int])] {
        cells.batchLevels.compactMap { level in
            let reference = cells.batches.indices.filter { cells.batches[$0] != level }
            let known = Set(reference.map { cells.labels[$0] })
            let query = cells.batches.indices.filter { cells.batches[$0] == level && known.contains(cells.labels[$0]) }
            return reference.isEmpty || query.isEmpty ? nil : (reference, query)
        }
    }

    /// Our iLISI over batches: the median per-cell LISI of all cells at perplexity 30 (harmonypy's default) and its
    /// scib normalization (median − 1) / (batches − 1).
    static func ilisi(_ x: Matrix<Double>, _ cells: EmbeddingCells, _ options: EmbeddingTaskOptions) -> [(String, Double)] {
        guard x.rows > options.perplexity * 3 else { return [("median", .nan), ("normalized", .nan)] }
        let median = numpyMedian(LISI.scores(x, labels: cells.batches, perplexity: options.perplexity, threads: options.threads))
        let levels = Double(cells.batchLevels.count)
        return [("median", median), ("normalized", levels > 1 ? (median - 1) / (levels - 1) : .nan)]
    }

    /// Our linear probe: multinomial logistic regression (controls as a class) on the other batches, top-1 / top-5
    /// accuracy on each held-out batch, pooled over cells.
    static func probe(_ x: Matrix<Double>, _ cells: EmbeddingCells, _ options: EmbeddingTaskOptions) -> [(String, Double)] {
        // Folds in parallel, each with single-threaded BLAS (the products are small).
        let splits = folds(cells)
        let counts = BLASThreads.singleThreaded {
            parallelMap(splits.count, threads: options.threads) { f -> (Int, Int, Int) in
                let (reference, query) = splits[f]
                let model = LogisticRegression.fit(
                    x.selectingRows(reference), labels: reference.map { cells.labels[$0] }, c: options.probeC)
                let ranked = model.rankedClasses(x.selectingRows(query))
                var top1 = 0, top5 = 0
                for (j, cell) in query.enumerated() {
                    let truth = cells.labels[cell]
                    if model.classes[ranked[j][0]] == truth { top1 += 1 }
                    if ranked[j].prefix(5).contains(where: { model.classes[$0] == truth }) { top5 += 1 }
                }
                return (top1, top5, query.count)
            }
        }
        let total = counts.reduce(0) { $0 + $1.2 }
        return [
            ("lobo_top1", ratio(counts.reduce(0) { $0 + $1.0 }, total)), ("lobo_top5", ratio(counts.reduce(0) { $0 + $1.1 }, total)),
        ]
    }

    /// Our kNN: uniform votes of k = ⌊√(reference cells)⌋ neighbours, each batch queried against the others, pooled.
    static func knn(_ x: Matrix<Double>, _ cells: EmbeddingCells, _ options: EmbeddingTaskOptions) -> [(String, Double)] {
        var correct = 0, total = 0
        for (reference, query) in folds(cells) {
            let k = max(1, Int(Double(reference.count).squareRoot()))
            let predicted = KNNClassifier.predict(
                reference: x.selectingRows(reference), labels: reference.map { cells.labels[$0] },
                queries: x.selectingRows(query), k: k, threads: options.threads)
            correct += zip(predicted, query).filter { $0 == cells.labels[$1] }.count
            total += query.count
        }
        return [("lobo_accuracy", ratio(correct, total))]
    }

    /// Perturbation consistency as Tx-Evaluation computes it (`pert_signal_consistency_benchmark`): a
    /// perturbation's score is the mean pairwise cosine over all its cells (a cell with a zero vector has cosine 0
    /// with every other). The null is the same score of every perturbation of an unexpressed gene (mean below
    /// `unexpressedMean`, `EmbeddingCells.unexpressedTargets`) when there is one; p = #(null ≥ observed) / #null,
    /// consistent at p ≤ 0.05.
    /// The reference defines no null without such perturbations; then `nullDraws` random groups of perturbed cells
    /// (all perturbations pooled) of the perturbation's size stand in, with p = (1 + #null ≥ observed) / (1 + draws):
    /// they share whatever every perturbed cell shares — the offset centering on the controls leaves, a common
    /// response — which random groups of control cells do not. Also reports which null was used.
    static func consistency(_ x: Matrix<Double>, _ cells: EmbeddingCells, _ options: EmbeddingTaskOptions) -> [(String, Double)] {
        let d = x.columns
        // Unit rows (zero rows stay zero), so a set's mean pairwise cosine is (‖Σ u‖² − #nonzero) / (n (n − 1)).
        var unit = x
        var nonzero = [Bool](repeating: false, count: x.rows)
        for i in 0..<x.rows {
            let norm = (0..<d).reduce(0.0) { $0 + x.storage[i * d + $1] * x.storage[i * d + $1] }.squareRoot()
            nonzero[i] = norm > 0
            for j in 0..<d { unit.storage[i * d + j] = norm > 0 ? x.storage[i * d + j] / norm : 0 }
        }
        func meanCosine(_ rows: [Int]) -> Double {
            guard rows.count >= 2 else { return .nan }
            var sum = [Double](repeating: 0, count: d)
            var count = 0
            for r in rows {
                if nonzero[r] { count += 1 }
                for j in 0..<d { sum[j] += unit.storage[r * d + j] }
            }
            let squared = sum.reduce(0) { $0 + $1 * $1 }
            return (squared - Double(count)) / Double(rows.count * (rows.count - 1))
        }
        var groups: [String: [Int]] = [:]
        for i in 0..<cells.count { groups[cells.labels[i], default: []].append(i) }
        let unexpressed = Set(cells.unexpressedTargets)
        let geneNull = unexpressed.sorted().compactMap { groups[$0] }.map(meanCosine).filter { !$0.isNaN }.sorted()
        let useGenes = !geneNull.isEmpty
        let perturbed = (0..<cells.count).filter { cells.labels[$0] != cells.controlLabel && !unexpressed.contains(cells.labels[$0]) }
        var rng = SeededRandom(seed: options.seed, stream: 900)
        var drawnNull: [Int: [Double]] = [:]
        var consistent = 0, tested = 0
        for label in groups.keys.sorted() where label != cells.controlLabel && !unexpressed.contains(label) {
            let rows = groups[label]!
            guard rows.count >= 2 else { continue }
            let observed = meanCosine(rows)
            let p: Double
            if useGenes {
                p = Double(geneNull.filter { $0 >= observed }.count) / Double(geneNull.count)
            } else {
                if drawnNull[rows.count] == nil {
                    drawnNull[rows.count] = (0..<options.nullDraws).map { _ in
                        meanCosine(draw(rows.count, from: perturbed.count, &rng).map { perturbed[$0] })
                    }
                }
                let null = drawnNull[rows.count]!
                p = Double(1 + null.filter { $0 >= observed }.count) / Double(1 + null.count)
            }
            if p <= 0.05 { consistent += 1 }
            tested += 1
        }
        return [
            ("fraction_consistent", ratio(consistent, tested)), ("tested", Double(tested)),
            ("null_from_unexpressed_genes", useGenes ? 1 : 0),
        ]
    }

    /// Known-relationship recall as Tx-Evaluation computes it (`compute_recall`): cosine between mean embeddings
    /// of single-gene perturbations; the null is every pair's cosine; a known pair is recalled when its cosine's rank
    /// in the null is in the lower 5 % (#null ≤ c over #null ≤ 0.05) or the upper 5 % (#null < c over #null ≥ 0.95);
    /// recall of each relation set's pairs among the perturbed genes (NaN when a set has none).
    static func recall(_ x: Matrix<Double>, _ cells: EmbeddingCells, _ options: EmbeddingTaskOptions) -> [(String, Double)] {
        guard !options.relations.isEmpty else { return [] }
        let d = x.columns
        var sums: [String: [Double]] = [:], counts: [String: Int] = [:]
        for i in 0..<cells.count where !cells.isControl(i) && !cells.labels[i].contains("+") {
            var s = sums[cells.labels[i]] ?? [Double](repeating: 0, count: d)
            for j in 0..<d { s[j] += x.storage[i * d + j] }
            sums[cells.labels[i]] = s
            counts[cells.labels[i], default: 0] += 1
        }
        let genes = sums.keys.sorted()
        let profiles = genes.map { g in sums[g]!.map { $0 / Double(counts[g]!) } }
        var cosines: [Double] = [], keys: [String] = []
        for a in 0..<genes.count {
            for b in (a + 1)..<genes.count {
                cosines.append(cosineSimilarity(profiles[a], profiles[b]))
                keys.append(genes[a] + "|" + genes[b])
            }
        }
        guard !cosines.isEmpty else { return options.relations.map { ("recall_\($0.name)", .nan) } }
        let sorted = cosines.sorted(), n = Double(cosines.count)
        func below(_ c: Double, orEqual: Bool) -> Int {  // numpy's searchsorted, side "right" or "left"
            var lo = 0, hi = sorted.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if sorted[mid] < c || (orEqual && sorted[mid] == c) { lo = mid + 1 } else { hi = mid }
            }
            return lo
        }
        let predicted = Set(
            keys.indices.filter { i in
                Double(below(cosines[i], orEqual: true)) / n <= 0.05 || Double(below(cosines[i], orEqual: false)) / n >= 0.95
            }.map { keys[$0] })
        var out: [(String, Double)] = []
        for relation in options.relations {
            let known = relation.pairs(among: Set(genes))
            out.append(
                ("recall_\(relation.name)", known.isEmpty ? .nan : Double(known.intersection(predicted).count) / Double(known.count)))
            out.append(("pairs_\(relation.name)", Double(known.count)))
        }
        return out
    }

    /// Our reconstruction: a linear decoder (least squares with intercept, a 10⁻⁸ ridge for stability) from the
    /// embedding to the most variable genes, fit on the other batches; for each held-out batch, control-centred
    /// actual and predicted expression. Spearman = mean over (perturbation, batch) of the rank correlation of
    /// mean predicted and mean actual profiles; Structural Integrity = 1 − d/d_max with
    /// d = (1/B) Σ_b ‖Ỹpred − Ỹ‖_F / n_b and d_max = (2/B) Σ_b ‖Ỹ‖_F / n_b.
    static func reconstruction(_ x: Matrix<Double>, _ cells: EmbeddingCells, targets y: Matrix<Double>) -> [(String, Double)] {
        let g = y.columns, d = x.columns + 1
        var correlations: [Double] = []
        var distance = 0.0, scale = 0.0, batches = 0
        for level in cells.batchLevels {
            let train = cells.batches.indices.filter { cells.batches[$0] != level }
            let test = cells.batches.indices.filter { cells.batches[$0] == level }
            guard train.count > d, !test.isEmpty else { continue }
            let zTrain = design(x, rows: train)
            let coefficients = leastSquares(zTrain, y.selectingRows(train))  // d × g
            let predicted = design(x, rows: test).multiplied(by: coefficients)  // n_b × g
            let actual = y.selectingRows(test)
            var reference = test.indices.filter { cells.isControl(test[$0]) }
            if reference.isEmpty { reference = Array(test.indices) }
            let muActual = actual.selectingRows(reference).columnMeans(), muPred = predicted.selectingRows(reference).columnMeans()
            var residual = 0.0, norm = 0.0
            var byLabel: [String: [Int]] = [:]
            for (r, cell) in test.enumerated() {
                byLabel[cells.labels[cell], default: []].append(r)
                for j in 0..<g {
                    let a = actual.storage[r * g + j] - muActual[j], p = predicted.storage[r * g + j] - muPred[j]
                    residual += (p - a) * (p - a)
                    norm += a * a
                }
            }
            distance += residual.squareRoot() / Double(test.count)
            scale += 2 * norm.squareRoot() / Double(test.count)
            batches += 1
            for (label, rows) in byLabel where label != cells.controlLabel {
                let a = (0..<g).map { j in rows.reduce(0.0) { $0 + actual.storage[$1 * g + j] } / Double(rows.count) - muActual[j] }
                let p = (0..<g).map { j in rows.reduce(0.0) { $0 + predicted.storage[$1 * g + j] } / Double(rows.count) - muPred[j] }
                let rho = spearman(p, a)
                if rho.isFinite { correlations.append(rho) }
            }
        }
        guard batches > 0 else { return [("linear_spearman", .nan), ("linear_structural_integrity", .nan)] }
        let si = scale > 0 ? 1 - distance / scale : .nan
        return [
            ("linear_spearman", correlations.isEmpty ? .nan : correlations.reduce(0, +) / Double(correlations.count)),
            ("linear_structural_integrity", si),
        ]
    }

    /// The decoder targets: the `count` most variable genes of `decoderExpression` (all of them when there are fewer,
    /// as the reference predicts every gene), dense (cells × genes).
    static func decoderTargets(_ cells: EmbeddingCells, count: Int) -> Matrix<Double> {
        let (_, variance) = cells.decoderExpression.columnMeanAndVariance()
        let chosen = variance.indices.sorted { variance[$0] != variance[$1] ? variance[$0] > variance[$1] : $0 < $1 }.prefix(count).sorted()
        let dense = cells.decoderExpression.selectingColumns(Array(chosen)).toDense()
        return dense.converted(to: Double.self)
    }

    static func design(_ x: Matrix<Double>, rows: [Int]) -> Matrix<Double> {
        let d = x.columns
        var z = Matrix<Double>(rows: rows.count, columns: d + 1)
        for (i, r) in rows.enumerated() {
            for j in 0..<d { z.storage[i * (d + 1) + j] = x.storage[r * d + j] }
            z.storage[i * (d + 1) + d] = 1
        }
        return z
    }

    /// (ZᵀZ + εI)⁺ ZᵀY (ε = 10⁻⁸ · mean diagonal, intercept unpenalized) through the symmetric eigensolver,
    /// dropping directions below 10⁻¹² of the largest eigenvalue, so a rank-deficient embedding (e.g. a random
    /// one with more dimensions than cells in a batch) still gets a stable solution.
    static func leastSquares(_ z: Matrix<Double>, _ y: Matrix<Double>) -> Matrix<Double> {
        var gram = z.multiplied(by: z, transposeSelf: true)
        let d = gram.rows
        let ridge = 1e-8 * (0..<d).reduce(0.0) { $0 + gram.storage[$1 * d + $1] } / Double(d)
        for i in 0..<(d - 1) { gram.storage[i * d + i] += ridge }
        let rhs = z.multiplied(by: y, transposeSelf: true)  // d × g
        let (values, vectors) = gram.symmetricEigendecomposition()
        let top = values.max() ?? 0
        var inverse = Matrix<Double>(rows: d, columns: d)
        for k in 0..<d where values[k] > top * 1e-12 {
            for a in 0..<d {
                for b in 0..<d { inverse.storage[a * d + b] += vectors.storage[a * d + k] * vectors.storage[b * d + k] / values[k] }
            }
        }
        return inverse.multiplied(by: rhs)
    }

    // MARK: small helpers

    static func ratio(_ a: Int, _ b: Int) -> Double { b > 0 ? Double(a) / Double(b) : .nan }

    /// `m` indices below `n`, distinct when m ≤ n, else with replacement.
    static func draw(_ m: Int, from n: Int, _ rng: inout SeededRandom) -> [Int] {
        guard n > 0 else { return [] }
        if m > n { return (0..<m).map { _ in rng.index(n) } }
        var pool = Array(0..<n)
        for i in 0..<m { pool.swapAt(i, i + rng.index(n - i)) }
        return Array(pool.prefix(m))
    }
}
