import Foundation

/// Reports progress of a long read or write: units done so far out of a total.
public typealias ProgressHandler = @Sendable (_ done: Int, _ total: Int) -> Void

/// Counts finished work items from many threads and reports (done, total) to a progress handler about a
/// hundred times over the run.
public final class ProgressCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var done = 0
    private let total: Int
    private let handler: ProgressHandler?

    /// A counter towards `total` items reporting to `handler` (nil: counts nothing).
    public init(total: Int, handler: ProgressHandler?) {
        self.total = total
        self.handler = handler
    }

    /// One more item done.
    public func advance() { add(1) }

    /// `count` more items done.
    public func add(_ count: Int) {
        guard let handler else { return }
        lock.lock()
        let before = done
        done += count
        let now = done
        lock.unlock()
        let step = max(1, total / 100)
        if now == total || now / step != before / step { handler(now, total) }
    }
}
