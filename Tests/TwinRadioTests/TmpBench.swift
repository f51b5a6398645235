import Testing
import TwinMath
import TwinRadio
import TwinWorld
import Foundation

@Test func tmpBench() {
    var rng = SeededRandom(seed: 1)
    var obstacles: [Prism] = []
    for bx in 0..<20 { for by in 0..<20 {
        let x = Double(bx) * 50 + 10, y = Double(by) * 50 + 10
        obstacles.append(Prism(name: "b", kind: "building", min: Vec3(x, y, 0), max: Vec3(x + 30 + rng.uniform(0, 5), y + 30, rng.uniform(10, 40))))
    }}
    let index = ObstacleIndex(obstacles: obstacles, bounds: SIMD2(1000, 1000))
    let segs = (0..<20000).map { _ in (Vec3(rng.uniform(0, 1000), rng.uniform(0, 1000), 1.5), Vec3(rng.uniform(0, 1000), rng.uniform(0, 1000), 25)) }
    var t = Date()
    var n1 = 0
    for (a, b) in segs where index.isBlocked(a, b) { n1 += 1 }
    let ti = Date().timeIntervalSince(t)
    t = Date()
    var n2 = 0
    for (a, b) in segs where obstacles.contains(where: { $0.intersects(a, b) }) { n2 += 1 }
    let tb = Date().timeIntervalSince(t)
    print("BENCH cell \(index.cellSize) \(index.columns)x\(index.rows) index \(ti) brute \(tb) \(n1) \(n2)")
    // short segments
    let short = (0..<20000).map { _ -> (Vec3, Vec3) in let a = Vec3(rng.uniform(0, 1000), rng.uniform(0, 1000), 1.5); return (a, a + Vec3(rng.uniform(-60, 60), rng.uniform(-60, 60), 8)) }
    t = Date(); n1 = 0
    for (a, b) in short where index.isBlocked(a, b) { n1 += 1 }
    let ti2 = Date().timeIntervalSince(t)
    t = Date(); n2 = 0
    for (a, b) in short where obstacles.contains(where: { $0.intersects(a, b) }) { n2 += 1 }
    print("BENCH short index \(ti2) brute \(Date().timeIntervalSince(t)) \(n1) \(n2)")
}
