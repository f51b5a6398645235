import TwinMath

/// A target position computed from one echo alone, by the closed forms of docs/domain.md §7.3
/// (time–angle), with its first-order covariance.
///
/// - Monostatic echo with a complete angle of arrival (azimuth and elevation): x = a + r·u(AoA).
/// - Bistatic echo (sum range d, baseline d₃ = |tx − rx|) with complete AoA and AoD: φ is the
///   angle at the receiver between the arrival direction and the direction to the transmitter;
///   d₁ = (d₃² + d² − 2d₃d·cos φ)/(2d − 2d₃·cos φ) and x = tx + d₁·u(AoD).
/// - Bistatic with a complete AoA only: x = rx + (d − d₁)·u(AoA), d₁ as above.
/// - Bistatic with a complete AoD only: the same with the roles of the two ends swapped.
///
/// The covariance is J·diag(σ²)·Jᵀ, J the Jacobian of the closed form with respect to the
/// inputs used (range and angles) by central differences. Echoes without a complete direction,
/// or with a sum range not longer than the baseline (no ellipsoid), give no point.
public struct EchoPoint: Sendable, Equatable {
    public var position: Vec3
    public var covariance: SymmetricMatrix3

    /// Relative step of the central differences.
    static let step = 1e-6

    public init(position: Vec3, covariance: SymmetricMatrix3) {
        self.position = position
        self.covariance = covariance
    }

    /// The point of `echo` on a link from `transmitter` to `receiver` (equal when monostatic).
    public static func make(
        _ echo: LocalizationProblem.Echo, transmitter: Vec3, receiver: Vec3, monostatic: Bool
    ) -> EchoPoint? {
        let arrival = echo.arrival?.isComplete == true ? echo.arrival : nil
        let departure = echo.departure?.isComplete == true ? echo.departure : nil
        // Inputs: [range, arrival az, arrival el, departure az, departure el] where present.
        var inputs: [Double] = [echo.range]
        var variances: [Double] = [echo.rangeVariance]
        if let arrival {
            inputs += [arrival.azimuth, arrival.elevation!]
            variances += [arrival.azimuthVariance, arrival.elevationVariance!]
        }
        if let departure {
            inputs += [departure.azimuth, departure.elevation!]
            variances += [departure.azimuthVariance, departure.elevationVariance!]
        }
        let hasArrival = arrival != nil
        let hasDeparture = departure != nil
        func evaluate(_ v: [Double]) -> Vec3? {
            let range = v[0]
            let uA = hasArrival ? Vec3.unit(azimuth: v[1], elevation: v[2]) : nil
            let uD = hasDeparture ? Vec3.unit(azimuth: v[hasArrival ? 3 : 1], elevation: v[hasArrival ? 4 : 2]) : nil
            if monostatic {
                guard let u = uA ?? uD else { return nil }
                return receiver + range * u
            }
            return bistaticPoint(sumRange: range, transmitter: transmitter, receiver: receiver, arrival: uA, departure: uD)
        }
        guard hasArrival || hasDeparture, let centre = evaluate(inputs), centre.isFinite else { return nil }
        var covariance = SymmetricMatrix3.zero
        for i in inputs.indices {
            let h = step * Swift.max(1, abs(inputs[i]))
            var plus = inputs
            var minus = inputs
            plus[i] += h
            minus[i] -= h
            guard let a = evaluate(plus), let b = evaluate(minus) else { return nil }
            let column = (a - b) / (2 * h)
            covariance = covariance + .outer(column, variances[i])
        }
        guard covariance.isFinite else { return nil }
        return EchoPoint(position: centre, covariance: covariance)
    }

    /// The closed forms of docs/domain.md §7.3 for a bistatic path of length `sumRange`.
    public static func bistaticPoint(sumRange d: Double, transmitter: Vec3, receiver: Vec3, arrival: Vec3?, departure: Vec3?) -> Vec3? {
        let baseline = receiver.distance(to: transmitter)
        guard d > baseline * (1 + 1e-9), baseline > 0 else { return nil }
        if let arrival {
            // φ at the receiver, between receiver→target and receiver→transmitter.
            let cosPhi = arrival.dot((transmitter - receiver) / baseline)
            let d1 = (baseline * baseline + d * d - 2 * baseline * d * cosPhi) / (2 * d - 2 * baseline * cosPhi)
            if let departure { return transmitter + d1 * departure }
            return receiver + (d - d1) * arrival
        }
        guard let departure else { return nil }
        let cosPhi = departure.dot((receiver - transmitter) / baseline)
        let d2 = (baseline * baseline + d * d - 2 * baseline * d * cosPhi) / (2 * d - 2 * baseline * cosPhi)
        return transmitter + (d - d2) * departure
    }
}
