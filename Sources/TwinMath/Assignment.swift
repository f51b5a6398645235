/// Optimal linear (2-D) assignment: match rows (tracks) to columns (measurements) one-to-one
/// at minimum total cost.
///
/// For an n×m cost matrix C, `solve(costs:)` returns an assignment σ (a partial injection from
/// rows to columns) that
/// 1. uses only finite entries: `+∞` marks a forbidden pair (e.g. outside a gate) and is never
///    assigned;
/// 2. assigns as many pairs as possible: min(n, m) when the finite entries allow it, otherwise
///    a maximum-cardinality matching of the finite entries, so a row whose options are all
///    infinite simply stays unassigned;
/// 3. among those, minimises Σᵣ C[r, σ(r)].
///
/// Algorithm: the shortest augmenting path method of Jonker & Volgenant as formulated for
/// rectangular problems by Crouse, "On implementing 2D rectangular assignment algorithms",
/// IEEE TAES 52(4), 2016 (the algorithm behind SciPy's `linear_sum_assignment`). The problem is
/// oriented so that rows ≤ columns, and each row in turn is added along a Dijkstra shortest
/// alternating path over reduced costs C[i, j] − uᵢ − vⱼ with dual potentials u, v.
/// Complexity O(min(n,m)² · max(n,m)).
///
/// Forbidden pairs are handled exactly rather than by a "big M" substitute: path lengths are
/// pairs (number of forbidden edges, finite cost) compared lexicographically, which form an
/// ordered abelian group, so the algorithm and its optimality proof carry over unchanged. The
/// complete assignment it finds first minimises the number of forbidden pairs (equivalently
/// maximises the number of finite ones) and then the finite cost; dropping its forbidden pairs
/// gives the answer above. No precision is lost to a large penalty constant.
///
/// Costs may be negative. NaN and −∞ are rejected (precondition failure).
public enum Assignment {
    /// Solves the assignment problem for `costs` (rows = tracks, columns = measurements).
    /// An empty matrix (no rows or no columns) gives an empty assignment with cost 0.
    public static func solve(costs: Matrix) -> AssignmentResult {
        let n = costs.rows, m = costs.columns
        precondition(
            costs.elements.allSatisfy { !$0.isNaN && $0 != -.infinity },
            "Assignment costs must not contain NaN or -infinity")
        guard n > 0, m > 0 else {
            return AssignmentResult(rowToColumn: Array(repeating: nil, count: n), columnCount: m, totalCost: 0)
        }

        // Work with nr ≤ nc: transpose a tall matrix.
        let transposed = m < n
        let nr = transposed ? m : n
        let nc = transposed ? n : m
        var cost = [PathCost](repeating: .zero, count: nr * nc)  // row-major, working orientation
        for i in 0..<nr {
            for j in 0..<nc {
                let value = transposed ? costs[j, i] : costs[i, j]
                cost[i * nc + j] = value.isFinite ? PathCost(forbidden: 0, finite: value) : PathCost(forbidden: 1, finite: 0)
            }
        }

        let col4row = shortestAugmentingPath(cost: cost, rows: nr, columns: nc)

        var rowToColumn = [Int?](repeating: nil, count: n)
        var total = 0.0
        for i in 0..<nr {
            let j = col4row[i]
            let (row, column) = transposed ? (j, i) : (i, j)
            let value = costs[row, column]
            guard value.isFinite else { continue }  // forbidden: leave unassigned
            rowToColumn[row] = column
            total += value
        }
        return AssignmentResult(rowToColumn: rowToColumn, columnCount: m, totalCost: total)
    }

    /// Crouse's Algorithm (shortest augmenting path, JV dual updates) on a row-major
    /// `rows`×`columns` matrix with rows ≤ columns. Returns the column of every row; all entries
    /// are finite in the lexicographic cost, so every row is assigned.
    private static func shortestAugmentingPath(cost: [PathCost], rows nr: Int, columns nc: Int) -> [Int] {
        var u = [PathCost](repeating: .zero, count: nr)
        var v = [PathCost](repeating: .zero, count: nc)
        var shortestPathCosts = [PathCost](repeating: .infinity, count: nc)
        var path = [Int](repeating: -1, count: nc)
        var col4row = [Int](repeating: -1, count: nr)
        var row4col = [Int](repeating: -1, count: nc)
        var scannedRows = [Bool](repeating: false, count: nr)
        var scannedColumns = [Bool](repeating: false, count: nc)
        var remaining = [Int](repeating: 0, count: nc)

        for currentRow in 0..<nr {
            // Dijkstra from currentRow over reduced costs until an unassigned column is reached.
            var minVal = PathCost.zero
            var i = currentRow
            var remainingCount = nc
            // Reverse order makes a constant matrix come out as the identity assignment.
            for k in 0..<nc { remaining[k] = nc - k - 1 }
            for k in 0..<nr { scannedRows[k] = false }
            for k in 0..<nc {
                scannedColumns[k] = false
                shortestPathCosts[k] = .infinity
            }
            var sink = -1
            while sink == -1 {
                var index = -1
                var lowest = PathCost.infinity
                scannedRows[i] = true
                for k in 0..<remainingCount {
                    let j = remaining[k]
                    let reduced = minVal + cost[i * nc + j] - u[i] - v[j]
                    if reduced < shortestPathCosts[j] {
                        path[j] = i
                        shortestPathCosts[j] = reduced
                    }
                    // On ties prefer a free column: it ends the search sooner.
                    if shortestPathCosts[j] < lowest || (shortestPathCosts[j] == lowest && row4col[j] == -1) {
                        lowest = shortestPathCosts[j]
                        index = k
                    }
                }
                minVal = lowest
                let j = remaining[index]
                if row4col[j] == -1 {
                    sink = j
                } else {
                    i = row4col[j]
                }
                scannedColumns[j] = true
                remainingCount -= 1
                remaining[index] = remaining[remainingCount]
            }

            // Dual update keeps reduced costs non-negative and zero along the matching.
            u[currentRow] = u[currentRow] + minVal
            for r in 0..<nr where scannedRows[r] && r != currentRow {
                u[r] = u[r] + minVal - shortestPathCosts[col4row[r]]
            }
            for c in 0..<nc where scannedColumns[c] {
                v[c] = v[c] - (minVal - shortestPathCosts[c])
            }

            // Augment along the path back from the sink.
            var j = sink
            while true {
                let r = path[j]
                row4col[j] = r
                swap(&col4row[r], &j)
                if r == currentRow { break }
            }
        }
        return col4row
    }
}

/// A path length in the lexicographic group ℤ × ℝ: first the number of forbidden (infinite)
/// edges, then the sum of finite costs.
private struct PathCost: Comparable {
    var forbidden: Int
    var finite: Double

    static let zero = PathCost(forbidden: 0, finite: 0)
    /// Larger than every reachable value; only ever compared, never added.
    static let infinity = PathCost(forbidden: .max, finite: .infinity)

    static func + (a: PathCost, b: PathCost) -> PathCost {
        PathCost(forbidden: a.forbidden + b.forbidden, finite: a.finite + b.finite)
    }

    static func - (a: PathCost, b: PathCost) -> PathCost {
        PathCost(forbidden: a.forbidden - b.forbidden, finite: a.finite - b.finite)
    }

    static func < (a: PathCost, b: PathCost) -> Bool {
        a.forbidden != b.forbidden ? a.forbidden < b.forbidden : a.finite < b.finite
    }
}
