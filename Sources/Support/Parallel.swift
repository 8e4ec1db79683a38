import Dispatch
import Foundation

/// A mutable buffer shared by parallel workers that each write disjoint positions.
private final class DisjointSlots<T>: @unchecked Sendable {
    var slots: [T?]
    init(count: Int) { slots = Array(repeating: nil, count: count) }
}

/// Runs `transform` for every index in `0 ..< count` on up to `threads` workers and returns the results in
/// index order. Results do not depend on the thread count as long as `transform` depends only on its index.
public func parallelMap<T: Sendable>(
    _ count: Int, threads: Int = defaultThreadCount(),
    _ transform: @Sendable (Int) -> T
) -> [T] {
    guard count > 0 else { return [] }
    let workers = max(1, min(threads, count))
    if workers == 1 { return (0..<count).map(transform) }
    let box = DisjointSlots<T>(count: count)
    box.slots.withUnsafeMutableBufferPointer { buffer in
        nonisolated(unsafe) let output = buffer
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            var i = worker
            while i < count {
                output[i] = transform(i)
                i += workers
            }
        }
    }
    return box.slots.map { $0! }
}

/// The number of worker threads to use by default: the machine's active processor count.
public func defaultThreadCount() -> Int {
    max(1, ProcessInfo.processInfo.activeProcessorCount)
}
