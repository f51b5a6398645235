import Foundation
import Testing
import TwinMath

@Suite struct FrameTransformTests {
    /// An operator's frame: w = R(θ)·r + o, so r = R(−θ)(w − o); worked by hand for θ = 90°.
    @Test func quarterTurnByHand() {
        let t = FrameTransform(rotation: .pi / 2, translation: Vec3(10, 0, 1))
        // R(90°)·(1, 2, 3) = (−2, 1, 3); plus the translation.
        let w = t.apply(Vec3(1, 2, 3))
        #expect(abs(w.x - 8) < 1e-12 && abs(w.y - 1) < 1e-12 && abs(w.z - 4) < 1e-12)
        let back = t.inverse.apply(w)
        #expect((back - Vec3(1, 2, 3)).norm < 1e-12)
        // R·diag(1, 4, 9)·Rᵀ at 90° swaps the x and y variances.
        let p = t.rotate(SymmetricMatrix3(xx: 1, xy: 0, xz: 0, yy: 4, yz: 0, zz: 9))
        #expect(abs(p.xx - 4) < 1e-12 && abs(p.yy - 1) < 1e-12 && abs(p.zz - 9) < 1e-12 && abs(p.xy) < 1e-12)
    }

    /// R·P·Rᵀ against the product of the explicit matrices.
    @Test func covarianceRotationIsTheCongruence() {
        let theta = 0.3
        let t = FrameTransform(rotation: theta, translation: .zero)
        let p = SymmetricMatrix3(xx: 2, xy: 0.5, xz: -0.3, yy: 1, yz: 0.2, zz: 3)
        let r = Matrix(rows: [[cos(theta), -sin(theta), 0], [sin(theta), cos(theta), 0], [0, 0, 1]])
        let expected = r * p.matrix * r.transposed
        let got = t.rotate(p).matrix
        for i in 0..<3 { for j in 0..<3 { #expect(abs(got[i, j] - expected[i, j]) < 1e-12) } }
    }

    /// Sites reported in an operator's frame give back the planted rotation and translation.
    @Test func procrustesRecoversAPlantedFrame() throws {
        let planted = FrameTransform(rotation: 1.5 * .pi / 180, translation: Vec3(4, -3, 0))
        let world = [Vec3(58, 58, 10), Vec3(208, 58, 10), Vec3(358, 208, 10), Vec3(270, 130, 30), Vec3(58, 358, 10)]
        let reported = world.map { planted.inverse.apply($0) }
        let found = try #require(FrameTransform.procrustes(from: reported, to: world))
        #expect(abs(found.rotation - planted.rotation) < 1e-12)
        #expect((found.translation - planted.translation).norm < 1e-9)
        // With 0.1 m survey noise on five sites the rotation is still within a few mrad.
        let noisy = reported.enumerated().map { k, r in r + Vec3(k.isMultiple(of: 2) ? 0.1 : -0.1, k < 2 ? 0.1 : -0.1, 0) }
        let rough = try #require(FrameTransform.procrustes(from: noisy, to: world))
        #expect(abs(rough.rotation - planted.rotation) < 2e-3)
        #expect(FrameTransform.procrustes(from: [world[0]], to: [world[0]]) == nil)
    }
}
