import Testing
import TwinLocalization
import TwinMath

private func expectClose(_ a: Vec3, _ b: Vec3, within tolerance: Double = 1e-6, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect((a - b).norm < tolerance, "\(a) vs \(b)", sourceLocation: sourceLocation)
}

@Test(arguments: [4, 5, 6])
func monostaticClosedFormIsExactOnNoiseFreeRanges(anchorCount: Int) throws {
    let observations = Scene.monostatic(Array(Scene.anchors3D.prefix(anchorCount)))
    let guess = try LinearInitializer.initialGuess(for: observations)
    #expect(guess.method == .monostatic)
    expectClose(guess.position, Scene.target)
}

@Test func coplanarMonostaticAnchorsTakeTheMirrorImageBelowUnlessHinted() throws {
    let observations = Scene.monostatic(Scene.anchorsAt25)
    let below = try LinearInitializer.initialGuess(for: observations)
    expectClose(below.position, Scene.target)
    // Mirror of z = 1.5 in the plane z = 25 is z = 48.5.
    let hinted = try LinearInitializer.initialGuess(for: observations, preferredZ: 50)
    expectClose(hinted.position, Vec3(40, 55, 48.5))
    let hintedLow = try LinearInitializer.initialGuess(for: observations, preferredZ: 0)
    expectClose(hintedLow.position, Scene.target)
}

@Test func threeMonostaticAnchorsAreSolvedInTheirPlane() throws {
    // Three anchors always span a plane (here tilted); the lower mirror image is the target.
    let anchors = [Vec3(0, 0, 20), Vec3(100, 0, 30), Vec3(0, 100, 25)]
    let guess = try LinearInitializer.initialGuess(for: Scene.monostatic(anchors))
    expectClose(guess.position, Scene.target)
}

@Test func sharedReceiverBistaticClosedFormIsExact() throws {
    let receiver = Vec3(50, 50, 10)
    let transmitters = [Vec3(0, 0, 30), Vec3(100, 0, 25), Vec3(0, 100, 40), Vec3(100, 100, 5)]
    let observations = Scene.bistatic(transmitters.map { (tx: $0, rx: receiver) })
    let guess = try LinearInitializer.initialGuess(for: observations)
    #expect(guess.method == .sharedFocus(receiver))
    expectClose(guess.position, Scene.target)

    // The same with roles swapped (one transmitter, several receivers), plus a monostatic
    // range at the shared focus itself.
    var swapped = Scene.bistatic(transmitters.map { (tx: receiver, rx: $0) })
    swapped += Scene.monostatic([receiver])
    let swappedGuess = try LinearInitializer.initialGuess(for: swapped)
    #expect(swappedGuess.method == .sharedFocus(receiver))
    expectClose(swappedGuess.position, Scene.target)
}

@Test func sharedReceiverWithCoplanarAnchorsIsExactBelowThePlane() throws {
    let receiver = Vec3(50, 50, 25)
    let observations = Scene.bistatic(Scene.anchorsAt25.map { (tx: $0, rx: receiver) })
    let guess = try LinearInitializer.initialGuess(for: observations)
    #expect(guess.method == .sharedFocus(receiver))
    expectClose(guess.position, Scene.target)
    let hinted = try LinearInitializer.initialGuess(for: observations, preferredZ: 45)
    expectClose(hinted.position, Vec3(40, 55, 48.5))
}

@Test func mixedObservationsUseTheMonostaticSubset() throws {
    let observations = Scene.monostatic(Array(Scene.anchors3D.prefix(4))) + Scene.bistatic(Scene.crossPairs)
    let guess = try LinearInitializer.initialGuess(for: observations)
    #expect(guess.method == .monostaticSubset)
    expectClose(guess.position, Scene.target)
}

@Test func bistaticPairsWithoutACommonFocusFallBackToTheCentroid() throws {
    // Centroid of the foci (each pair weighted equally, both foci half each) lowered by the
    // mean one-way range (half the mean sum range).
    let pairs = Scene.crossPairs
    let observations = Scene.bistatic(pairs)
    var centre = Vec3.zero
    var halfPath = 0.0
    for (pair, observation) in zip(pairs, observations) {
        centre += 0.5 * (pair.tx + pair.rx)
        halfPath += 0.5 * observation.value
    }
    centre /= Double(pairs.count)
    halfPath /= Double(pairs.count)
    let guess = try LinearInitializer.initialGuess(for: observations)
    #expect(guess.method == .centroid)
    expectClose(guess.position, Vec3(centre.x, centre.y, centre.z - halfPath), within: 1e-9)
    let hinted = try LinearInitializer.initialGuess(for: observations, preferredZ: 2)
    expectClose(hinted.position, Vec3(centre.x, centre.y, 2), within: 1e-9)
}
