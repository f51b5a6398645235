import Testing
import TwinLocalization
import TwinMath

/// A start tens of metres off the target.
private let poorStart = Scene.target + Vec3(30, -25, 20)

@Test(arguments: [4, 5, 6])
func monostaticRangesAreRecoveredExactlyFromAPoorStart(anchorCount: Int) throws {
    let observations = Scene.monostatic(Array(Scene.anchors3D.prefix(anchorCount)))
    for start in [poorStart, nil] {
        let estimate = try GaussNewton.solve(observations, initial: start)
        #expect((estimate.position - Scene.target).norm < 1e-6)
        #expect(estimate.converged)
        #expect(estimate.flags.isEmpty)
        #expect(estimate.residual < 1e-12)
        #expect(estimate.observationCount == anchorCount)
        #expect(estimate.degreesOfFreedom == anchorCount - 3)
    }
}

@Test func bistaticSumRangesFromSeveralPairsAreRecoveredExactly() throws {
    let observations = Scene.bistatic(Scene.crossPairs)
    // From a poor start and from the centroid fallback (no common focus).
    for start in [poorStart, nil] {
        let estimate = try GaussNewton.solve(observations, initial: start)
        #expect((estimate.position - Scene.target).norm < 1e-6)
        #expect(estimate.converged)
        #expect(estimate.flags.isEmpty)
    }
}

@Test func mixedMonostaticAndBistaticRangesAreRecoveredExactly() throws {
    let observations = Scene.monostatic([Scene.anchors3D[5], Scene.anchors3D[1]]) + Scene.bistatic(Scene.crossPairs)
    for start in [poorStart, nil] {
        let estimate = try GaussNewton.solve(observations, initial: start)
        #expect((estimate.position - Scene.target).norm < 1e-6)
        #expect(estimate.converged)
    }
}

@Test func coplanarAnchorsGiveTheTargetBelowOrTheHintedMirror() throws {
    let observations = Scene.monostatic(Scene.anchorsAt25)
    let below = try GaussNewton.solve(observations)
    #expect((below.position - Scene.target).norm < 1e-6)
    let above = try GaussNewton.solve(observations, preferredZ: 50)
    #expect((above.position - Vec3(40, 55, 48.5)).norm < 1e-6)
}

@Test func symmetricSceneHasHandComputedResidualAndCovariance() throws {
    // Anchors at ±a on each axis, target at the origin, every range a + ε: by symmetry the
    // estimate stays at the origin (the gradients cancel), the residual is 6ε²/σ², and
    // JᵀWJ = Σ uuᵀ/σ² = 2I/σ², so the covariance is (σ²/2)·I.
    let a = 50.0, epsilon = 0.2, variance = 0.25
    let anchors = [Vec3(a, 0, 0), Vec3(-a, 0, 0), Vec3(0, a, 0), Vec3(0, -a, 0), Vec3(0, 0, a), Vec3(0, 0, -a)]
    let observations = anchors.map { RangeObservation.monostatic(anchor: $0, range: a + epsilon, variance: variance) }
    let estimate = try GaussNewton.solve(observations, initial: Vec3(3, -2, 1))
    // With a non-zero residual the solver stops once a step would lower the cost by less than
    // 10⁻¹⁰ of itself, i.e. within ~10⁻⁷ m here (σ = 0.5 m).
    #expect(estimate.position.norm < 1e-6)
    #expect(abs(estimate.residual - 6 * epsilon * epsilon / variance) < 1e-9)
    #expect(estimate.covariance.isApproximatelyEqual(to: (variance / 2) * Matrix.identity(3), tolerance: 1e-12))
    #expect(abs(estimate.conditionNumber - 1) < 1e-9)
}

@Test func covarianceAndResidualMatchMonteCarlo() throws {
    // Six anchors with unequal noise; 2000 noisy trials. The sample covariance of the
    // estimates must match the Cramér–Rao bound (JᵀWJ)⁻¹, J built here from the unit vectors
    // target − anchor, within 10 % per diagonal entry (sampling error ≈ √(2/2000) ≈ 3 %), and
    // the mean residual must match E[χ²(n − 3)] = 3 (sampling error ≈ √(6/2000) ≈ 0.05).
    let anchors = Scene.anchors3D
    let sigmas = [0.3, 0.5, 0.4, 0.8, 0.6, 0.35]
    var information = Matrix(rows: 3, columns: 3)
    for (anchor, sigma) in zip(anchors, sigmas) {
        let u = (Scene.target - anchor) / (Scene.target - anchor).norm
        let row = Matrix(rows: [[u.x, u.y, u.z]])
        information = information + (1 / (sigma * sigma)) * (row.transposed * row)
    }
    let predicted = try information.inverse()

    var rng = SeededRandom(seed: 2024)
    let trials = 2000
    var estimates: [Vec3] = []
    var residualSum = 0.0
    var reportedSum = Matrix(rows: 3, columns: 3)
    for _ in 0..<trials {
        let observations = zip(anchors, sigmas).map { anchor, sigma in
            RangeObservation.monostatic(
                anchor: anchor, range: (Scene.target - anchor).norm + sigma * rng.gaussian(), variance: sigma * sigma)
        }
        let estimate = try GaussNewton.solve(observations)
        #expect(estimate.converged)
        estimates.append(estimate.position)
        residualSum += estimate.residual
        reportedSum = reportedSum + estimate.covariance
    }
    let mean = estimates.reduce(Vec3.zero, +) / Double(trials)
    #expect((mean - Scene.target).norm < 0.05)
    for k in 0..<3 {
        let sampleVariance = estimates.map { ($0[k] - mean[k]) * ($0[k] - mean[k]) }.reduce(0, +) / Double(trials - 1)
        #expect(abs(sampleVariance / predicted[k, k] - 1) < 0.10, "axis \(k): \(sampleVariance) vs \(predicted[k, k])")
        // The reported covariance, linearised at each noisy estimate, averages to the bound.
        #expect(abs(reportedSum[k, k] / Double(trials) / predicted[k, k] - 1) < 0.05)
    }
    #expect(abs(residualSum / Double(trials) - 3) < 0.25)
}

@Test func targetInThePlaneOfCoplanarAnchorsIsFlaggedNotNaN() throws {
    // In the anchors' plane the height is unobservable to first order: JᵀWJ is singular.
    let target = Vec3(40, 55, 25)
    let estimate = try GaussNewton.solve(Scene.monostatic(Scene.anchorsAt25, target: target))
    #expect(estimate.position.isFinite)
    #expect(estimate.covariance.isFinite)
    #expect(estimate.flags == [.underdetermined, .lowQuality])
    #expect(abs(estimate.position.x - 40) < 1e-6 && abs(estimate.position.y - 55) < 1e-6)
    #expect(estimate.covariance[2, 2] >= PositionEstimate.uninformativeVariance * 0.999)
}

@Test func iterationLimitLeavesTheEstimateUnconvergedAndLowQuality() throws {
    let estimate = try GaussNewton.solve(Scene.monostatic(Scene.anchors3D), initial: poorStart, maxIterations: 1)
    #expect(!estimate.converged)
    #expect(estimate.flags.contains(.lowQuality))
    #expect(estimate.position.isFinite)
}

// MARK: - Errors

@Test func tooFewObservationsAreRejectedWithTheCount() {
    let two = Scene.monostatic(Array(Scene.anchors3D.prefix(2)))
    #expect(throws: LocalizationError.tooFewObservations(count: 2, required: 3)) { try GaussNewton.solve(two) }
    #expect(throws: LocalizationError.tooFewObservations(count: 0, required: 3)) { try GaussNewton.solve([]) }
    #expect(throws: LocalizationError.tooFewObservations(count: 2, required: 3)) {
        try LinearInitializer.initialGuess(for: two)
    }
}

@Test func invalidObservationsAreRejectedWithTheirIndex() {
    func corrupted(_ index: Int, _ change: (inout RangeObservation) -> Void) -> [RangeObservation] {
        var observations = Scene.monostatic(Scene.anchors3D)
        change(&observations[index])
        return observations
    }
    #expect(throws: LocalizationError.nonFiniteRange(index: 1)) {
        try GaussNewton.solve(corrupted(1) { $0.value = .nan })
    }
    #expect(throws: LocalizationError.nonFiniteRange(index: 3)) {
        try GaussNewton.solve(corrupted(3) { $0.value = .infinity })
    }
    #expect(throws: LocalizationError.negativeRange(index: 2, value: -1)) {
        try GaussNewton.solve(corrupted(2) { $0.value = -1 })
    }
    #expect(throws: LocalizationError.nonPositiveVariance(index: 0, variance: 0)) {
        try GaussNewton.solve(corrupted(0) { $0.variance = 0 })
    }
    #expect(throws: LocalizationError.nonPositiveVariance(index: 4, variance: -2)) {
        try GaussNewton.solve(corrupted(4) { $0.variance = -2 })
    }
    #expect(throws: LocalizationError.nonFiniteVariance(index: 5)) {
        try GaussNewton.solve(corrupted(5) { $0.variance = .nan })
    }
    #expect(throws: LocalizationError.nonFiniteAnchor(index: 1)) {
        try GaussNewton.solve(corrupted(1) { $0.geometry = .bistatic(transmitter: .zero, receiver: Vec3(.nan, 0, 0)) })
    }
    #expect(throws: LocalizationError.nonFiniteInitialPosition) {
        try GaussNewton.solve(Scene.monostatic(Scene.anchors3D), initial: Vec3(0, .infinity, 0))
    }
    #expect(throws: LocalizationError.self) {
        try GaussNewton.solve(Scene.monostatic(Scene.anchors3D), maxIterations: 0)
    }
}

@Test func collinearOrCoincidentAnchorsAreRejected() {
    let line = [Vec3(0, 0, 10), Vec3(10, 0, 10), Vec3(20, 0, 10), Vec3(35, 0, 10)]
    #expect(throws: LocalizationError.degenerateGeometry(.collinearAnchors)) {
        try GaussNewton.solve(Scene.monostatic(line))
    }
    // Bistatic pairs whose foci all lie on one line.
    let pairs = [(tx: line[0], rx: line[1]), (tx: line[2], rx: line[3]), (tx: line[0], rx: line[3])]
    #expect(throws: LocalizationError.degenerateGeometry(.collinearAnchors)) {
        try GaussNewton.solve(Scene.bistatic(pairs))
    }
    let point = Array(repeating: Vec3(5, 5, 5), count: 4)
    #expect(throws: LocalizationError.degenerateGeometry(.coincidentAnchors)) {
        try GaussNewton.solve(Scene.monostatic(point))
    }
}

@Test func errorsAreDescribedForAPerson() {
    #expect(LocalizationError.tooFewObservations(count: 2, required: 3).description.contains("at least 3"))
    #expect(LocalizationError.negativeRange(index: 4, value: -1.5).description.contains("observation 4"))
    #expect(LocalizationError.nonPositiveVariance(index: 0, variance: 0).description.contains("positive"))
    #expect(LocalizationError.degenerateGeometry(.collinearAnchors).description.contains("collinear"))
}
