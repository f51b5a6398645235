import Foundation
import Testing
import TwinMath

@testable import TwinTracking

@Suite struct CovarianceIntersectionTests {
    let a = StateVector([0, 0])
    let pa = StateMatrix.diagonal([1, 4])
    let b = StateVector([3, 3])
    let pb = StateMatrix.diagonal([4, 1])

    /// ω = ½ by hand: P⁻¹ = ½·diag(1, ¼) + ½·diag(¼, 1) = diag(⅝, ⅝), P = diag(1.6, 1.6);
    /// x = P·(½·diag(¼, 1)·(3, 3)) = 1.6·(0.375, 1.5) = (0.6, 2.4).
    @Test func closedFormAtOneHalf() throws {
        let f = try #require(CovarianceIntersection.fuse(a, pa, b, pb, omega: 0.5))
        #expect(abs(f.covariance[0, 0] - 1.6) < 1e-12 && abs(f.covariance[1, 1] - 1.6) < 1e-12)
        #expect(abs(f.covariance[0, 1]) < 1e-12)
        #expect(abs(f.mean[0] - 0.6) < 1e-12 && abs(f.mean[1] - 2.4) < 1e-12)
    }

    /// det P(ω) = 1 / ((ω + (1−ω)/4)·(ω/4 + (1−ω))) is symmetric about ω = ½, where it is least.
    @Test func optimalOmegaOfMirroredEstimatesIsOneHalf() throws {
        let f = try #require(CovarianceIntersection.fuse(a, pa, b, pb))
        #expect(abs(f.omega - 0.5) < 1e-6)
        #expect(abs(f.state.mean[0] - 0.6) < 1e-5 && abs(f.state.mean[1] - 2.4) < 1e-5)
    }

    /// With P_b = 10·P_a, P(ω)⁻¹ = (ω + (1−ω)/10)·P_a⁻¹ is largest at ω = 1: CI keeps a.
    @Test func aDominatedEstimateIsIgnored() throws {
        let f = try #require(CovarianceIntersection.fuse(a, pa, b, 10 * pa))
        #expect(f.omega == 1)
        #expect(f.state.mean == a)
        #expect(f.state.covariance == pa)
    }

    /// Errors e_a, e_b with cross-covariance ρ·√(p_a p_b) per axis (diagonal, so each axis is
    /// scalar): the fused error k_a·e_a + k_b·e_b has variance k_a²p_a + k_b²p_b + 2k_a k_b c.
    /// CI's P bounds it for every ρ. The independent fusion's p_n = 1/(1/p_a + 1/p_b) (0.8 on
    /// each axis) has k_a = p_n/p_a, k_b = p_n/p_b, so its true variance is p_n + 2k_a k_b c:
    /// over-confident for every positive correlation.
    @Test(arguments: [-0.9, 0.0, 0.5, 0.9, 0.99])
    func consistentUnderCorrelatedErrors(rho: Double) throws {
        let ci = try #require(CovarianceIntersection.fuse(a, pa, b, pb))
        let naive = try #require(CovarianceIntersection.fuseIndependent(a, pa, b, pb))
        let w = ci.omega
        var naiveOverConfident = false
        for axis in 0..<2 {
            let (va, vb) = (pa[axis, axis], pb[axis, axis])
            let c = rho * (va * vb).squareRoot()
            func trueVariance(_ ka: Double, _ kb: Double) -> Double { ka * ka * va + kb * kb * vb + 2 * ka * kb * c }
            let p = ci.state.covariance[axis, axis]
            #expect(p >= trueVariance(w * p / va, (1 - w) * p / vb) - 1e-12)
            let pn = naive.covariance[axis, axis]
            if pn < trueVariance(pn / va, pn / vb) - 1e-9 { naiveOverConfident = true }
        }
        #expect(naiveOverConfident == (rho > 0))
    }
}

@Suite struct TrackFusionTests {
    func track(_ id: Int, at p: Vec3, sigma: Double, status: TrackStatus = .confirmed) -> Track {
        var mean = StateVector(count: 6)
        for i in 0..<3 { mean[i] = p[i] }
        let cov = StateMatrix.diagonal([sigma * sigma, sigma * sigma, sigma * sigma, 1, 1, 1])
        return Track(
            id: id, status: status, components: [ModelState(mean: mean, covariance: cov)], modelProbabilities: [1], birthTime: 0,
            lastUpdate: 0, age: 3, hits: 3, misses: 0, hitHistory: 7, classLogLikelihoods: [])
    }

    func source(_ s: Int, _ t: Track) -> SourceTrack { SourceTrack(source: s, track: t, state: t.state(in: .identity)) }

    /// Two operators' tracks of one target become one core track (the more certain under
    /// `best`); a far track its own; ids stay while members live and are never reused.
    @Test func associationKeepsStableIdsAndTheBestMember() throws {
        var fusion = TrackFusion(rule: .best, gate: 16.27)
        let near = [source(0, track(5, at: Vec3(10, 10, 0), sigma: 0.5)), source(1, track(2, at: Vec3(10.4, 10, 0), sigma: 0.2))]
        let far = source(1, track(3, at: Vec3(80, 10, 0), sigma: 0.2))
        let first = fusion.fuse(frameIndex: 0, time: 0, tracks: near + [far], rejectedDetections: 0)
        #expect(first.twin.tracks.map(\.id) == [1, 2])
        #expect(first.born == [1, 2])
        // Core track 1 is operator 1's track 2 (σ 0.2 m), not operator 0's (σ 0.5 m).
        #expect(first.twin.tracks[0].position == Vec3(10.4, 10, 0))
        #expect(first.twin.tracks[1].position == Vec3(80, 10, 0))
        // Operator 1's near track ends: core 1 goes on with operator 0's; the far track ends.
        let second = fusion.fuse(frameIndex: 1, time: 0.1, tracks: [near[0]], rejectedDetections: 0)
        #expect(second.twin.tracks.map(\.id) == [1])
        #expect(second.twin.tracks[0].position == Vec3(10, 10, 0))
        #expect(second.deleted == [2])
        // A new track of a new target gets id 3: 2 is not reused.
        let third = fusion.fuse(
            frameIndex: 2, time: 0.2, tracks: [near[0], source(1, track(9, at: Vec3(200, 0, 0), sigma: 1))], rejectedDetections: 0)
        #expect(third.twin.tracks.map(\.id) == [1, 3])
        let restored = try JSONDecoder().decode(TrackFusionState.self, from: JSONEncoder().encode(fusion.state))
        #expect(restored == fusion.state)
    }

    /// Tracks of one operator are never merged, and two operators' tracks outside the gate
    /// (d² = 9²/(0.5² + 0.5²) = 162) stay apart.
    @Test func gateAndOperatorSeparateTracks() {
        var fusion = TrackFusion(rule: .covarianceIntersection, gate: 16.27)
        let tracks = [
            source(0, track(1, at: Vec3(0, 0, 0), sigma: 0.5)), source(0, track(2, at: Vec3(0.3, 0, 0), sigma: 0.5)),
            source(1, track(1, at: Vec3(9, 0, 0), sigma: 0.5)),
        ]
        #expect(fusion.fuse(frameIndex: 0, time: 0, tracks: tracks, rejectedDetections: 0).twin.tracks.count == 3)
    }

    /// Under covariance intersection two equally certain tracks fuse to their mean (any ω
    /// gives P = P_a when P_a = P_b; the minimiser is then ω = ½ by symmetry of the search).
    @Test func intersectionOfTwoEqualTracks() throws {
        var fusion = TrackFusion(rule: .covarianceIntersection, gate: 16.27)
        let out = fusion.fuse(
            frameIndex: 0, time: 0,
            tracks: [source(0, track(1, at: Vec3(0, 0, 0), sigma: 1)), source(1, track(1, at: Vec3(1, 0, 0), sigma: 1))],
            rejectedDetections: 0)
        let t = try #require(out.twin.tracks.first)
        #expect(out.twin.tracks.count == 1)
        // Equal covariances P: P(ω)⁻¹ = ωP⁻¹ + (1−ω)P⁻¹ = P⁻¹ for every ω, so the fused
        // covariance is P itself, and CI takes the symmetric ω = ½: the mean is the midpoint.
        let p = StateMatrix.diagonal([1, 1, 1, 1, 1, 1])
        for i in 0..<6 { for j in 0..<6 { #expect(abs(t.estimate.covariance[i, j] - p[i, j]) < 1e-12) } }
        #expect(abs(t.position.x - 0.5) < 1e-12 && abs(t.position.y) < 1e-12 && abs(t.position.z) < 1e-12)
        let direct = try #require(
            CovarianceIntersection.fuse(
                source(0, track(1, at: Vec3(0, 0, 0), sigma: 1)).state.mean, p,
                source(1, track(1, at: Vec3(1, 0, 0), sigma: 1)).state.mean, p))
        #expect(direct.omega == 0.5)
    }

    /// `best` and CI use one criterion, ln det of the full state covariance: of a track of
    /// position σ 0.5 m but velocity σ 10 m/s and one of 1 m and 1 m/s, `best` keeps the second
    /// (ln det 3·ln 0.25 + 3·ln 100 = 9.66 against 0), though its position block is larger.
    @Test func bestUsesTheFullStateDeterminant() throws {
        var a = track(1, at: Vec3(0, 0, 0), sigma: 0.5)
        a.components[0].covariance = StateMatrix.diagonal([0.25, 0.25, 0.25, 100, 100, 100])
        let b = track(2, at: Vec3(0.2, 0, 0), sigma: 1)
        var fusion = TrackFusion(rule: .best, gate: 16.27)
        let out = fusion.fuse(frameIndex: 0, time: 0, tracks: [source(0, a), source(1, b)], rejectedDetections: 0)
        let t = try #require(out.twin.tracks.first)
        #expect(out.twin.tracks.count == 1)
        // ln det: a = 3·ln 0.25 + 3·ln 100 = 9.66 > b = 0: b is kept (a by position alone).
        #expect(abs(t.position.x - 0.2) < 1e-12)
    }

    /// A track mapped from an operator's frame: positions by R·p + t, velocities by R·v.
    @Test func trackStateInTheWorldFrame() {
        var t = track(1, at: Vec3(1, 0, 2), sigma: 1)
        t.components[0].mean[3] = 2
        t.components[0].covariance[0, 0] = 4
        let s = t.state(in: FrameTransform(rotation: .pi / 2, translation: Vec3(10, 0, 0)))
        #expect(abs(s.mean[0] - 10) < 1e-12 && abs(s.mean[1] - 1) < 1e-12 && s.mean[2] == 2)
        #expect(abs(s.mean[3]) < 1e-12 && abs(s.mean[4] - 2) < 1e-12)
        #expect(abs(s.covariance[0, 0] - 1) < 1e-12 && abs(s.covariance[1, 1] - 4) < 1e-12)
    }
}
