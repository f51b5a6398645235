/// The outcome of a linear assignment problem (see `Assignment.solve(costs:)`).
public struct AssignmentResult: Equatable, Sendable {
    /// For each row (track), the assigned column (measurement), or nil if the row is unassigned.
    public let rowToColumn: [Int?]
    /// For each column, the row assigned to it, or nil. The inverse of `rowToColumn`.
    public let columnToRow: [Int?]
    /// Σ costs[r, rowToColumn[r]] over the assigned rows; 0 when nothing is assigned.
    /// Always finite: forbidden (infinite-cost) pairs are never assigned.
    public let totalCost: Double

    public init(rowToColumn: [Int?], columnCount: Int, totalCost: Double) {
        var columnToRow = [Int?](repeating: nil, count: columnCount)
        for (row, column) in rowToColumn.enumerated() {
            guard let column else { continue }
            precondition(columnToRow[column] == nil, "AssignmentResult: column \(column) assigned twice")
            columnToRow[column] = row
        }
        self.rowToColumn = rowToColumn
        self.columnToRow = columnToRow
        self.totalCost = totalCost
    }

    /// Number of assigned (row, column) pairs.
    public var assignedCount: Int { rowToColumn.lazy.compactMap { $0 }.count }

    /// The assigned pairs in row order.
    public var pairs: [(row: Int, column: Int)] {
        rowToColumn.enumerated().compactMap { row, column in column.map { (row, $0) } }
    }
}
