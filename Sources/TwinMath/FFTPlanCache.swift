import Foundation

/// A thread-safe cache of `FFTPlan`s keyed by (length, direction).
///
/// Plans are created on first request and kept for the cache's lifetime (a simulation uses a
/// handful of lengths, so the cache stays small); `removeAll()` releases them. The returned
/// plans can be executed concurrently from any thread.
public final class FFTPlanCache: @unchecked Sendable {
    /// The process-wide cache.
    public static let shared = FFTPlanCache()

    private struct Key: Hashable {
        let length: Int
        let direction: FFTPlan.Direction
    }

    private let lock = NSLock()
    private var plans: [Key: FFTPlan] = [:]  // guarded by `lock`

    public init() {}

    /// The plan for `length` (≥ 1) points in `direction`, creating it on first use.
    public func plan(length: Int, direction: FFTPlan.Direction) -> FFTPlan {
        let key = Key(length: length, direction: direction)
        return lock.withLock {
            if let cached = plans[key] { return cached }
            let made = FFTPlan(length: length, direction: direction)
            plans[key] = made
            return made
        }
    }

    /// Number of cached plans.
    public var count: Int { lock.withLock { plans.count } }

    /// Drops every cached plan (plans still referenced elsewhere stay alive until released).
    public func removeAll() {
        let dropped = lock.withLock {
            defer { plans.removeAll() }
            return plans
        }
        _ = dropped  // destroyed here, outside the cache lock
    }
}
