import Foundation
import TwinMath

/// The optimal sub-pattern assignment metric between a set of true positions X (|X| = m) and
/// estimates Y (|Y| = n), after Schuhmacher, Vo & Vo, "A consistent metric for performance
/// evaluation of multi-object filters", IEEE TSP 56(8), 2008. With d⁽ᶜ⁾(x, y) = min(‖x − y‖, c)
/// and, for m ≤ n (otherwise swap the sets),
///
///     OSPA = ( (1/n) · ( min_π Σᵢ₌₁..ₘ d⁽ᶜ⁾(xᵢ, y_π(i))ᵖ + cᵖ · (n − m) ) )^(1/p),
///
/// with OSPA = 0 when both sets are empty; 0 ≤ OSPA ≤ c. The minimum over the injections π is
/// the optimal assignment (`Assignment.solve`) on the costs d⁽ᶜ⁾ᵖ. It splits as
/// OSPAᵖ = localisationᵖ + cardinalityᵖ with localisation = ((1/n) min_π Σ d⁽ᶜ⁾ᵖ)^(1/p) and
/// cardinality = (cᵖ (n − m) / n)^(1/p).
public struct OSPA: Sendable, Equatable {
    /// The metric (m).
    public var distance: Double
    /// The localisation component (m).
    public var localization: Double
    /// The cardinality component (m).
    public var cardinality: Double

    public init(truths: [Vec3], estimates: [Vec3], cutoff c: Double, order p: Double) {
        precondition(c > 0 && p >= 1, "OSPA needs a cutoff c > 0 and an order p ≥ 1")
        let m = min(truths.count, estimates.count), n = max(truths.count, estimates.count)
        guard n > 0 else {
            (distance, localization, cardinality) = (0, 0, 0)
            return
        }
        let assigned = SetDistance.assign(truths, estimates, cutoff: c, order: p)
        let located = assigned.reduce(0.0) { $0 + $1.cost }
        let missing = pow(c, p) * Double(n - m)
        distance = pow((located + missing) / Double(n), 1 / p)
        localization = pow(located / Double(n), 1 / p)
        cardinality = pow(missing / Double(n), 1 / p)
    }
}

/// The generalised OSPA with α = 2 between true positions X and estimates Y, after
/// Rahmathullah, García-Fernández & Svensson, "Generalized optimal sub-pattern assignment
/// metric", FUSION 2017:
///
///     GOSPA = ( min_γ Σ_(i,j)∈γ ‖xᵢ − yⱼ‖ᵖ + (cᵖ/2) · (|X| + |Y| − 2|γ|) )^(1/p),
///
/// γ ranging over the partial assignments whose pairs lie closer than c. Computed as the
/// optimal assignment on the costs min(‖x − y‖, c)ᵖ (a pair at c or beyond costs cᵖ, exactly
/// one missed plus one false target, so it is counted as both). Its p-th power splits into
/// localisation Σ ‖x − y‖ᵖ over γ, missed (cᵖ/2)·#(X not in γ) and false (cᵖ/2)·#(Y not in γ);
/// these three components are in mᵖ and sum to GOSPAᵖ.
public struct GOSPA: Sendable, Equatable {
    /// The metric (m).
    public var distance: Double
    /// Σ ‖x − y‖ᵖ over the assigned pairs (mᵖ).
    public var localization: Double
    /// (cᵖ/2) × missed targets (mᵖ).
    public var missed: Double
    /// (cᵖ/2) × false estimates (mᵖ).
    public var falseTargets: Double
    public var missedCount: Int
    public var falseCount: Int
    public var assignedCount: Int

    public init(truths: [Vec3], estimates: [Vec3], cutoff c: Double, order p: Double) {
        precondition(c > 0 && p >= 1, "GOSPA needs a cutoff c > 0 and an order p ≥ 1")
        let assigned = SetDistance.assign(truths, estimates, cutoff: c, order: p).filter { $0.distance < c }
        localization = assigned.reduce(0.0) { $0 + $1.cost }
        assignedCount = assigned.count
        missedCount = truths.count - assigned.count
        falseCount = estimates.count - assigned.count
        let half = pow(c, p) / 2
        missed = half * Double(missedCount)
        falseTargets = half * Double(falseCount)
        distance = pow(localization + missed + falseTargets, 1 / p)
    }
}

enum SetDistance {
    /// The optimal assignment on min(‖x − y‖, c)ᵖ: pairs (truth, estimate, distance, cost).
    static func assign(_ truths: [Vec3], _ estimates: [Vec3], cutoff c: Double, order p: Double)
        -> [(truth: Int, estimate: Int, distance: Double, cost: Double)]
    {
        guard !truths.isEmpty, !estimates.isEmpty else { return [] }
        var costs = Matrix(rows: truths.count, columns: estimates.count)
        for (i, x) in truths.enumerated() {
            for (j, y) in estimates.enumerated() { costs[i, j] = pow(min((x - y).norm, c), p) }
        }
        return Assignment.solve(costs: costs).pairs.map { pair in
            let d = (truths[pair.row] - estimates[pair.column]).norm
            return (truth: pair.row, estimate: pair.column, distance: d, cost: pow(min(d, c), p))
        }
    }
}
