/// Distinct-threshold cumulative true and false positives for scores sorted descending
/// (the first step of scikit-learn's `_binary_clf_curve`).
private func thresholdCounts(labels: [Bool], scores: [Double]) -> (tp: [Double], fp: [Double]) {
    let order = scores.indices.sorted { scores[$0] > scores[$1] }
    var tps: [Double] = [], fps: [Double] = []
    var tp = 0.0, fp = 0.0
    for (k, index) in order.enumerated() {
        if labels[index] { tp += 1 } else { fp += 1 }
        if k + 1 == order.count || scores[order[k + 1]] != scores[index] {
            tps.append(tp); fps.append(fp)
        }
    }
    return (tps, fps)
}

/// Average precision, as `sklearn.metrics.average_precision_score`: Σ (Rₙ − Rₙ₋₁) Pₙ over distinct thresholds.
/// NaN when there is no positive label.
public func averagePrecision(labels: [Bool], scores: [Double]) -> Double {
    precondition(labels.count == scores.count, "one score per label")
    let (tps, fps) = thresholdCounts(labels: labels, scores: scores)
    guard let positives = tps.last, positives > 0 else { return .nan }
    var ap = 0.0, previousRecall = 0.0
    for k in tps.indices {
        let recall = tps[k] / positives
        let precision = tps[k] / (tps[k] + fps[k])
        ap += (recall - previousRecall) * precision
        previousRecall = recall
    }
    return ap
}

/// Area under the ROC curve by the trapezoid rule over distinct thresholds, as `sklearn.metrics.roc_curve`
/// followed by `auc`. NaN when only one class is present.
public func rocAUC(labels: [Bool], scores: [Double]) -> Double {
    precondition(labels.count == scores.count, "one score per label")
    let (tps, fps) = thresholdCounts(labels: labels, scores: scores)
    guard let p = tps.last, let n = fps.last, p > 0, n > 0 else { return .nan }
    var area = 0.0, x0 = 0.0, y0 = 0.0
    for k in tps.indices {
        let x1 = fps[k] / n, y1 = tps[k] / p
        area += (x1 - x0) * (y0 + y1) / 2
        x0 = x1; y0 = y1
    }
    return area
}
