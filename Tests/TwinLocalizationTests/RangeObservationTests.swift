import Testing
import TwinLocalization
import TwinMath

@Test func monostaticPredictionAndGradientAreTheDistanceAndItsUnitVector() {
    // 3-4-5 triangle: |(3, 4, 0) − 0| = 5, unit vector (0.6, 0.8, 0).
    let observation = RangeObservation.monostatic(anchor: .zero, range: 5, variance: 1)
    #expect(observation.predicted(at: Vec3(3, 4, 0)) == 5)
    #expect((observation.gradient(at: Vec3(3, 4, 0)) - Vec3(0.6, 0.8, 0)).norm < 1e-15)
}

@Test func bistaticPredictionIsTheSumRangeAndGradientTheSumOfUnitVectors() {
    // Foci (0, 0, 0) and (6, 0, 0), target (3, 4, 0): legs 5 + 5 = 10;
    // gradient (0.6, 0.8, 0) + (−0.6, 0.8, 0) = (0, 1.6, 0).
    let observation = RangeObservation.bistatic(
        transmitter: .zero, receiver: Vec3(6, 0, 0), sumRange: 10, variance: 1)
    #expect(observation.predicted(at: Vec3(3, 4, 0)) == 10)
    #expect((observation.gradient(at: Vec3(3, 4, 0)) - Vec3(0, 1.6, 0)).norm < 1e-15)
}

@Test func gradientOnAnAnchorIsFiniteAndDropsThatAnchorsTerm() {
    let anchor = Vec3(1, 2, 3)
    let monostatic = RangeObservation.monostatic(anchor: anchor, range: 0, variance: 1)
    #expect(monostatic.gradient(at: anchor) == .zero)
    #expect(monostatic.predicted(at: anchor) == 0)
    // On the transmitter: only the receiver's unit vector (1, 0, 0) remains.
    let bistatic = RangeObservation.bistatic(transmitter: anchor, receiver: anchor - Vec3(4, 0, 0), sumRange: 4, variance: 1)
    #expect(bistatic.gradient(at: anchor) == Vec3(1, 0, 0))
}
