import Testing
import TwinMath

/// Exhaustive reference: over every partial one-to-one assignment that uses only finite costs,
/// the one with the most pairs and, among those, the least total cost. Returns (pairs, cost).
private func bruteForce(_ costs: Matrix) -> (count: Int, cost: Double) {
    var best = (count: 0, cost: 0.0)
    var usedColumns = [Bool](repeating: false, count: costs.columns)
    func visit(row: Int, count: Int, cost: Double) {
        if row == costs.rows {
            if count > best.count || (count == best.count && cost < best.cost) { best = (count, cost) }
            return
        }
        visit(row: row + 1, count: count, cost: cost)  // leave this row unassigned
        for column in 0..<costs.columns where !usedColumns[column] && costs[row, column].isFinite {
            usedColumns[column] = true
            visit(row: row + 1, count: count + 1, cost: cost + costs[row, column])
            usedColumns[column] = false
        }
    }
    visit(row: 0, count: 0, cost: 0)
    return best
}

/// The result must be a valid partial injection over finite entries whose cost is as reported.
private func checkConsistent(_ result: AssignmentResult, _ costs: Matrix) {
    #expect(result.rowToColumn.count == costs.rows)
    #expect(result.columnToRow.count == costs.columns)
    var sum = 0.0
    var seen = Set<Int>()
    for (row, column) in result.pairs {
        #expect(costs[row, column].isFinite)
        #expect(seen.insert(column).inserted)
        #expect(result.columnToRow[column] == row)
        sum += costs[row, column]
    }
    #expect(abs(sum - result.totalCost) <= 1e-12 * max(1, abs(sum)))
}

struct AssignmentTests {
    let inf = Double.infinity

    @Test func handSolvedThreeByThree() {
        // Permutation costs: 6, 11, 5, 9, 7, 6 — the unique optimum is (0→1, 1→0, 2→2) = 1 + 2 + 2.
        let costs = Matrix(rows: [[4, 1, 3], [2, 0, 5], [3, 2, 2]])
        let result = Assignment.solve(costs: costs)
        #expect(result.rowToColumn == [1, 0, 2])
        #expect(result.totalCost == 5)
        #expect(result.columnToRow == [1, 0, 2])
    }

    @Test func wideTwoByFour() {
        // Each row's cheapest column differs (col 1 = 2, col 2 = 3), so the optimum is 5.
        let costs = Matrix(rows: [[9, 2, 7, 8], [6, 4, 3, 7]])
        let result = Assignment.solve(costs: costs)
        #expect(result.rowToColumn == [1, 2])
        #expect(result.columnToRow == [nil, 0, 1, nil])
        #expect(result.totalCost == 5)
    }

    @Test func tallFourByTwo() {
        // Transpose of the 2×4 case: rows 1 and 2 take columns 0 and 1.
        let costs = Matrix(rows: [[9, 6], [2, 4], [7, 3], [8, 7]])
        let result = Assignment.solve(costs: costs)
        #expect(result.rowToColumn == [nil, 0, 1, nil])
        #expect(result.columnToRow == [1, 2])
        #expect(result.totalCost == 5)
        #expect(result.assignedCount == 2)
    }

    @Test func conflictResolvedGlobally() {
        // Both rows prefer column 0; the global optimum gives it to row 1 (1 + 3 = 4 < 2 + 8 = 10).
        let result = Assignment.solve(costs: Matrix(rows: [[2, 3], [1, 8]]))
        #expect(result.rowToColumn == [1, 0])
        #expect(result.totalCost == 4)
    }

    @Test func negativeCostsAreAllowed() {
        // (0→1, 1→0) = −5 − 3 = −8 beats (0→0, 1→1) = −1 − 2 = −3.
        let result = Assignment.solve(costs: Matrix(rows: [[-1, -5], [-3, -2]]))
        #expect(result.rowToColumn == [1, 0])
        #expect(result.totalCost == -8)
    }

    @Test func forbiddenPairsAreNeverAssigned() {
        let costs = Matrix(rows: [[inf, 4, 1], [2, inf, 3], [inf, 5, inf]])
        // Row 2 can only take column 1, so row 0 takes 2 and row 1 takes 0: 1 + 2 + 5 = 8.
        let result = Assignment.solve(costs: costs)
        #expect(result.rowToColumn == [2, 0, 1])
        #expect(result.totalCost == 8)
    }

    @Test func rowWithOnlyForbiddenOptionsStaysUnassigned() {
        let result = Assignment.solve(costs: Matrix(rows: [[inf, inf], [1, 2]]))
        #expect(result.rowToColumn == [nil, 0])
        #expect(result.totalCost == 1)
    }

    @Test func contestedSingleColumnGoesToTheCheaperRow() {
        // Only column 0 is usable; row 1 is cheaper even though row 0 is processed first.
        let result = Assignment.solve(costs: Matrix(rows: [[5, inf], [1, inf]]))
        #expect(result.rowToColumn == [nil, 0])
        #expect(result.columnToRow == [1, nil])
        #expect(result.totalCost == 1)
    }

    @Test func moreAssignmentsTakePrecedenceOverLowerCost() {
        // Assigning both rows (1 + 100) beats assigning only row 0 to column 1 — cardinality first.
        let result = Assignment.solve(costs: Matrix(rows: [[1, 0.5], [inf, 100]]))
        #expect(result.rowToColumn == [0, 1])
        #expect(result.totalCost == 101)
    }

    @Test func allForbiddenAndEmptyMatrices() {
        let none = Assignment.solve(costs: Matrix(rows: 2, columns: 3, repeating: inf))
        #expect(none.rowToColumn == [nil, nil] && none.columnToRow == [nil, nil, nil] && none.totalCost == 0)
        let noColumns = Assignment.solve(costs: Matrix(rows: 3, columns: 0))
        #expect(noColumns.rowToColumn == [nil, nil, nil] && noColumns.totalCost == 0)
        let noRows = Assignment.solve(costs: Matrix(rows: 0, columns: 2))
        #expect(noRows.rowToColumn.isEmpty && noRows.columnToRow == [nil, nil])
    }

    @Test func constantMatrixGivesACompleteAssignment() {
        let result = Assignment.solve(costs: Matrix(rows: 4, columns: 4, repeating: 7))
        #expect(result.assignedCount == 4 && result.totalCost == 28)
    }

    @Test func matchesBruteForceOnRandomProblems() {
        var rng = SeededRandom(seed: 2016)
        var checked = 0
        for trial in 0..<600 {
            let rows = 1 + rng.index(below: 6), columns = 1 + rng.index(below: 6)
            // Mix continuous costs, small integers (many ties) and forbidden entries.
            let integerCosts = trial % 3 == 1
            let forbiddenProbability = trial % 2 == 0 ? 0.0 : 0.35
            var costs = Matrix(rows: rows, columns: columns)
            for r in 0..<rows {
                for c in 0..<columns {
                    if rng.bernoulli(forbiddenProbability) {
                        costs[r, c] = .infinity
                    } else {
                        costs[r, c] = integerCosts ? Double(rng.index(below: 4)) : rng.uniform(-10, 10)
                    }
                }
            }
            let result = Assignment.solve(costs: costs)
            let reference = bruteForce(costs)
            checkConsistent(result, costs)
            #expect(result.assignedCount == reference.count, "trial \(trial): \(costs)")
            #expect(abs(result.totalCost - reference.cost) < 1e-9, "trial \(trial): \(costs)")
            checked += 1
        }
        #expect(checked == 600)
    }
}
