/// Sorts `n` floats ascending in place: insertion sort for short runs, median-of-three quicksort above — a
/// monomorphic sort for the many small per-group slices of the DE engine (Swift's generic stable sort pays a
/// comparator call per comparison). NaN must not occur.
public func sortFloats(_ a: UnsafeMutablePointer<Float>, _ n: Int) {
    var lo = 0, hi = n - 1
    var stack: [(Int, Int)] = []
    while true {
        while hi - lo > 24 {
            let mid = lo + (hi - lo) / 2
            if a[mid] < a[lo] { a.swapAt(mid, lo) }
            if a[hi] < a[lo] { a.swapAt(hi, lo) }
            if a[hi] < a[mid] { a.swapAt(hi, mid) }
            let pivot = a[mid]
            var i = lo, j = hi
            while i <= j {
                while a[i] < pivot { i += 1 }
                while pivot < a[j] { j -= 1 }
                if i <= j { a.swapAt(i, j); i += 1; j -= 1 }
            }
            // Recurse into the smaller side later; loop on the larger.
            if j - lo < hi - i { stack.append((i, hi)); hi = j } else { stack.append((lo, j)); lo = i }
        }
        if hi > lo {
            for k in (lo + 1)...hi {
                let v = a[k]
                var m = k - 1
                while m >= lo && a[m] > v { a[m + 1] = a[m]; m -= 1 }
                a[m + 1] = v
            }
        }
        guard let next = stack.popLast() else { return }
        (lo, hi) = next
    }
}

extension UnsafeMutablePointer where Pointee == Float {
    @inline(__always) func swapAt(_ i: Int, _ j: Int) {
        let t = self[i]; self[i] = self[j]; self[j] = t
    }
}
