import Foundation
import Testing
import TwinMath
import TwinRadio
import TwinWorld

private let ghz = 1e9
private let c = 299_792_458.0

struct LinkGeometryTests {
    @Test func higherEndIsTheBaseStation() {
        let ue = Vec3(3, 4, 1.5)
        let bs = Vec3(0, 0, 10)
        for g in [LinkGeometry(ue, bs), LinkGeometry(bs, ue)] {
            #expect(g.bsHeight == 10)
            #expect(g.utHeight == 1.5)
            #expect(close(g.distance2D, 5, 1e-12))  // 3-4-5 triangle
            #expect(close(g.distance3D, (25 + 8.5 * 8.5).squareRoot(), 1e-12))
        }
        let h = LinkGeometry(bsHeight: 25, utHeight: 1.5, distance2D: 100)
        #expect(close(h.distance3D, (100 * 100 + 23.5 * 23.5).squareRoot(), 1e-12))
    }
}

struct InFPropagationTests {
    @Test func denseHighLOSProbabilityByHand() {
        // InF-DH defaults r 0.6, d_clutter 2 m, h_c 6 m; h_BS 8 m, h_UT 1.5 m, d_2D 20 m.
        // k = −d_clutter / ln(1 − r) · (h_BS − h_UT)/(h_c − h_UT)
        //   = −2 / ln 0.4 · 6.5/4.5 = 2 / 0.9162907 · 1.4444444 = 2.1827133 · 1.4444444 = 3.1528082
        // Pr_LOS = exp(−20 / 3.1528082) = exp(−6.3435) = 0.0017580
        let model = InFPropagation(subScenario: .dh)
        #expect(model.clutter.density == 0.6 && model.clutter.size == 2 && model.clutter.height == 6)
        let p = model.losProbability(LinkGeometry(bsHeight: 8, utHeight: 1.5, distance2D: 20))
        #expect(close(p, 0.0017580479, 1e-9))
    }

    @Test func lowBaseStationLOSProbabilityIsOneMinusRAtOneClutterSize() {
        // SL/DL: Pr = exp(d ln(1 − r) / d_clutter), so at d = d_clutter it is exactly 1 − r.
        let sl = InFPropagation(subScenario: .sl)  // r 0.2, 10 m
        let dl = InFPropagation(subScenario: .dl)  // r 0.6, 2 m
        #expect(close(sl.losProbability(LinkGeometry(bsHeight: 1.5, utHeight: 1, distance2D: 10)), 0.8, 1e-12))
        #expect(close(dl.losProbability(LinkGeometry(bsHeight: 1.5, utHeight: 1, distance2D: 2)), 0.4, 1e-12))
        #expect(close(dl.losProbability(LinkGeometry(bsHeight: 1.5, utHeight: 1, distance2D: 4)), 0.16, 1e-12))
        // SH (r 0.2, 10 m, h_c 2 m), h_BS 8, h_UT 1.5: factor 6.5 / 0.5 = 13, so 0.8 at 130 m.
        let sh = InFPropagation(subScenario: .sh)
        #expect(close(sh.losProbability(LinkGeometry(bsHeight: 8, utHeight: 1.5, distance2D: 130)), 0.8, 1e-12))
    }

    @Test func bothEndsAboveClutterAreAlwaysLOS() {
        // InF-HH: h_UT ≥ h_c.
        let dh = InFPropagation(subScenario: .dh)  // h_c 6 m
        #expect(dh.losProbability(LinkGeometry(bsHeight: 9, utHeight: 6.5, distance2D: 80)) == 1)
        #expect(dh.losProbability(LinkGeometry(bsHeight: 9, utHeight: 1, distance2D: 0)) == 1)
        // SH/DH with the BS not above the clutter falls back to the low-BS formula (factor 1):
        // DL-like 0.4 at 2 m.
        #expect(close(dh.losProbability(LinkGeometry(bsHeight: 3, utHeight: 1, distance2D: 2)), 0.4, 1e-12))
        #expect(close(dh.losProbability(LinkGeometry(bsHeight: 1, utHeight: 1, distance2D: 2)), 0.4, 1e-12))
    }

    @Test func losPathLossByHand() {
        // PL_LOS = 31.84 + 21.50 log10(30) + 19.00 log10(28)
        //        = 31.84 + 21.50 · 1.4771213 + 19.00 · 1.4471580 = 31.84 + 31.758108 + 27.496003 = 91.094111
        for sub in InFSubScenario.allCases {
            let g = LinkGeometry(bsHeight: 1.5, utHeight: 1.5, distance2D: 30)
            let pl = InFPropagation(subScenario: sub).pathLoss(g, carrierFrequency: 28 * ghz, los: true)
            #expect(close(pl.meanDb, 91.094110, 1e-5))
            #expect(pl.shadowSigmaDb == 4.3)
        }
    }

    @Test func nlosPathLossByHand() {
        let g30 = LinkGeometry(bsHeight: 1.5, utHeight: 1.5, distance2D: 30)
        let g5 = LinkGeometry(bsHeight: 1.5, utHeight: 1.5, distance2D: 5)
        func nlos(_ s: InFSubScenario, _ g: LinkGeometry) -> PathLoss {
            InFPropagation(subScenario: s).pathLoss(g, carrierFrequency: 28 * ghz, los: false)
        }
        // log10 30 = 1.4771213, 20 log10 28 = 28.943160.
        // SL: 33 + 25.5 · 1.4771213 + 28.943160 = 99.609753
        #expect(close(nlos(.sl, g30).meanDb, 99.609753, 1e-5))
        #expect(nlos(.sl, g30).shadowSigmaDb == 5.7)
        // DL: 18.6 + 35.7 · 1.4771213 + 28.943160 = 100.276389 (> SL and LOS)
        #expect(close(nlos(.dl, g30).meanDb, 100.276389, 1e-5))
        #expect(nlos(.dl, g30).shadowSigmaDb == 7.2)
        // DL at 5 m: PL_DL = 18.6 + 35.7 · 0.69897 + 28.94316 = 72.4964 is below
        // PL_SL = 33 + 25.5 · 0.69897 + 28.94316 = 79.7669, and DL must be ≥ PL_SL.
        #expect(close(nlos(.dl, g5).meanDb, 79.766896, 1e-5))
        // SH: 32.4 + 23.0 · 1.4771213 + 28.943160 = 95.316949
        #expect(close(nlos(.sh, g30).meanDb, 95.316949, 1e-5))
        #expect(nlos(.sh, g30).shadowSigmaDb == 5.9)
        // DH: 33.63 + 21.9 · 1.4771213 + 28.943160 = 94.922116
        #expect(close(nlos(.dh, g30).meanDb, 94.922116, 1e-5))
        #expect(nlos(.dh, g30).shadowSigmaDb == 4.0)
    }

    @Test func distanceBelowOneMetreIsClamped() {
        // d_3D < 1 m → 1 m: PL_LOS = 31.84 + 19 log10 28 = 31.84 + 27.496003.
        let model = InFPropagation(subScenario: .sl)
        for d in [0.0, 0.3, 1.0] {
            let pl = model.pathLoss(
                LinkGeometry(bsHeight: 1, utHeight: 1, distance2D: d), carrierFrequency: 28 * ghz, los: true)
            #expect(close(pl.meanDb, 59.336003, 1e-5))
        }
    }

    @Test func correlationDistances() {
        let m = InFPropagation(subScenario: .dl)
        #expect(m.shadowCorrelationDistance == (10, 10))
        #expect(m.losCorrelationDistance == 1)  // d_clutter / 2 = 2 / 2
        #expect(InFPropagation(subScenario: .sl).losCorrelationDistance == 5)
    }
}

struct UMiPropagationTests {
    // h_BS 10 m, h_UT 1.5 m, f_c 3.5 GHz:
    // d'_BP = 4 (10 − 1)(1.5 − 1) 3.5e9 / c = 63e9 / 299792458 = 210.14538 m.
    let model = UMiPropagation()

    @Test func pl1BelowBreakpoint() {
        // d_2D 100 m: d_3D = √(100² + 8.5²) = 100.360600
        // PL1 = 32.4 + 21 log10(100.3606) + 20 log10(3.5) = 32.4 + 42.032828 + 10.881361 = 85.314189
        let pl = model.pathLoss(
            LinkGeometry(bsHeight: 10, utHeight: 1.5, distance2D: 100), carrierFrequency: 3.5 * ghz, los: true)
        #expect(close(pl.meanDb, 85.314189, 1e-5))
        #expect(pl.shadowSigmaDb == 4)
    }

    @Test func pl2BeyondBreakpoint() {
        // d_2D 300 m: d_3D = √(300² + 8.5²) = 300.120393
        // PL2 = 32.4 + 40 log10(300.1204) + 20 log10(3.5) − 9.5 log10(210.14538² + 8.5²)
        //     = 32.4 + 99.091820 + 10.881361 − 9.5 · 4.645750 = 98.238560
        let pl = model.pathLoss(
            LinkGeometry(bsHeight: 10, utHeight: 1.5, distance2D: 300), carrierFrequency: 3.5 * ghz, los: true)
        #expect(close(pl.meanDb, 98.238560, 1e-4))
    }

    @Test func pl1AndPl2MeetAtTheBreakpoint() {
        // At d_2D = d'_BP, d_3D² = d'_BP² + Δh², so 9.5 log10(d'_BP² + Δh²) = 19 log10 d_3D and
        // PL2 = PL1: the law is continuous.
        let dBP = 4 * 9 * 0.5 * 3.5e9 / c
        let below = model.pathLoss(
            LinkGeometry(bsHeight: 10, utHeight: 1.5, distance2D: dBP * (1 - 1e-9)), carrierFrequency: 3.5 * ghz,
            los: true)
        let above = model.pathLoss(
            LinkGeometry(bsHeight: 10, utHeight: 1.5, distance2D: dBP * (1 + 1e-9)), carrierFrequency: 3.5 * ghz,
            los: true)
        #expect(close(below.meanDb, above.meanDb, 1e-6))
    }

    @Test func nlosByHand() {
        // PL' = 35.3 log10(100.3606) + 22.4 + 21.3 log10(3.5) − 0.3 (1.5 − 1.5)
        //     = 35.3 · 2.0015632 + 22.4 + 21.3 · 0.5440680 = 70.655183 + 22.4 + 11.588649 = 104.643832
        let pl = model.pathLoss(
            LinkGeometry(bsHeight: 10, utHeight: 1.5, distance2D: 100), carrierFrequency: 3.5 * ghz, los: false)
        #expect(close(pl.meanDb, 104.643832, 1e-4))
        #expect(pl.shadowSigmaDb == 7.82)
    }

    @Test func losProbabilityByHand() {
        #expect(model.losProbability(LinkGeometry(bsHeight: 10, utHeight: 1.5, distance2D: 18)) == 1)
        // 18/100 + exp(−100/36)(1 − 0.18) = 0.18 + 0.0621765 · 0.82 = 0.2309847
        let p = model.losProbability(LinkGeometry(bsHeight: 10, utHeight: 1.5, distance2D: 100))
        #expect(close(p, 0.18 + exp(-100.0 / 36) * 0.82, 1e-12))
        #expect(close(p, 0.2309847, 1e-7))
    }

    @Test func outOfRangeInputsAreClamped() {
        let f = 3.5 * ghz
        // d_2D below 10 m uses 10 m.
        let at10 = model.pathLoss(
            LinkGeometry(bsHeight: 10, utHeight: 1.5, distance2D: 10), carrierFrequency: f, los: true)
        for d in [0.0, 2.0, 9.99] {
            #expect(
                model.pathLoss(LinkGeometry(bsHeight: 10, utHeight: 1.5, distance2D: d), carrierFrequency: f, los: true)
                    == at10)
        }
        // A UAV end above 22.5 m is taken at 22.5 m (the geometry is rebuilt from the clamped heights).
        let high = model.pathLoss(
            LinkGeometry(bsHeight: 60, utHeight: 40, distance2D: 120), carrierFrequency: f, los: false)
        let atLimit = model.pathLoss(
            LinkGeometry(bsHeight: 60, utHeight: 22.5, distance2D: 120), carrierFrequency: f, los: false)
        #expect(high == atLimit)
        // An AGV end at 0.5 m is taken at 1.5 m.
        let low = model.pathLoss(
            LinkGeometry(bsHeight: 10, utHeight: 0.5, distance2D: 50), carrierFrequency: f, los: true)
        let atLow = model.pathLoss(
            LinkGeometry(bsHeight: 10, utHeight: 1.5, distance2D: 50), carrierFrequency: f, los: true)
        #expect(low == atLow)
    }

    @Test func correlationDistances() {
        #expect(model.shadowCorrelationDistance == (10, 13))
        #expect(model.losCorrelationDistance == 50)
    }
}

struct UMaPropagationTests {
    let model = UMaPropagation()

    @Test func losProbabilityAt100mByHand() {
        // Base: 18/100 + exp(−100/63)(1 − 18/100) = 0.18 + 0.2044766 · 0.82 = 0.3476708
        // h_UT 1.5 m: C' = 0, Pr = 0.3476708.
        let low = model.losProbability(LinkGeometry(bsHeight: 25, utHeight: 1.5, distance2D: 100))
        #expect(close(low, 0.3476708, 1e-7))
        // h_UT 22.5 m: C' = ((22.5 − 13)/10)^1.5 = 0.95^1.5 = 0.9259455
        // boost = 1 + 0.9259455 · 1.25 · (100/100)³ · exp(−100/150) = 1 + 1.1574319 · 0.5134171 = 1.5942453
        // Pr = 0.3476708 · 1.5942453 = 0.5542726
        let high = model.losProbability(LinkGeometry(bsHeight: 25, utHeight: 22.5, distance2D: 100))
        #expect(close(high, 0.5542726, 1e-7))
    }

    @Test func losProbabilityIsOneWithin18m() {
        // 38.901's first branch (docs/domain.md omits it; the second expression would exceed 1).
        for d in [0.0, 5, 17.9, 18] {
            #expect(model.losProbability(LinkGeometry(bsHeight: 25, utHeight: 22.5, distance2D: d)) == 1)
        }
    }

    @Test func pathLossByHand() {
        // h_BS 25, h_UT 1.5, 3.5 GHz: d'_BP = 4 · 24 · 0.5 · 3.5e9 / c = 560.38768 m.
        // d_2D 100: d_3D = √(100² + 23.5²) = 102.724145
        // PL1 = 28 + 22 log10(102.724145) + 20 log10 3.5 = 28 + 44.256795 + 10.881361 = 83.138157
        let g100 = LinkGeometry(bsHeight: 25, utHeight: 1.5, distance2D: 100)
        let los100 = model.pathLoss(g100, carrierFrequency: 3.5 * ghz, los: true)
        #expect(close(los100.meanDb, 83.138157, 1e-5))
        #expect(los100.shadowSigmaDb == 4)
        // NLOS: 13.54 + 39.08 · 2.0116725 + 10.881361 − 0 = 13.54 + 78.616163 + 10.881361 = 103.037524
        let nlos100 = model.pathLoss(g100, carrierFrequency: 3.5 * ghz, los: false)
        #expect(close(nlos100.meanDb, 103.037524, 1e-5))
        #expect(nlos100.shadowSigmaDb == 6)
        // d_2D 1000 (> d'_BP): d_3D = 1000.276087
        // PL2 = 28 + 40 log10(1000.276087) + 10.881361 − 9 log10(560.38768² + 23.5²) = 109.406494
        let los1000 = model.pathLoss(
            LinkGeometry(bsHeight: 25, utHeight: 1.5, distance2D: 1000), carrierFrequency: 3.5 * ghz, los: true)
        #expect(close(los1000.meanDb, 109.406494, 1e-5))
    }

    @Test func correlationDistances() {
        #expect(model.shadowCorrelationDistance == (37, 50))
        #expect(model.losCorrelationDistance == 50)
    }
}

struct PropagationInvariantTests {
    static let models: [any PropagationModel] =
        InFSubScenario.allCases.map { InFPropagation(subScenario: $0) } + [UMiPropagation(), UMaPropagation()]

    @Test func nlosIsNeverBelowLOS() {
        for model in Self.models {
            for fc in [0.7, 3.5, 6, 28, 60] {
                for hUT in [0.0, 0.5, 1.5, 5, 12, 22.5, 40] {
                    for hBS in [hUT, hUT + 0.5, 8, 10, 25, 50] where hBS >= hUT {
                        var d = 0.0
                        while d <= 3000 {
                            let g = LinkGeometry(bsHeight: hBS, utHeight: hUT, distance2D: d)
                            let los = model.pathLoss(g, carrierFrequency: fc * ghz, los: true)
                            let nlos = model.pathLoss(g, carrierFrequency: fc * ghz, los: false)
                            #expect(nlos.meanDb >= los.meanDb, "\(model) d \(d) hBS \(hBS) hUT \(hUT) fc \(fc)")
                            d = d < 20 ? d + 0.5 : d * 1.15
                        }
                    }
                }
            }
        }
    }

    @Test func losProbabilityIsAProbabilityAndDecreasesWithDistance() {
        for model in Self.models {
            for hUT in [0.0, 1.5, 15, 22.5] {
                var previous = 1.0
                var d = 0.0
                while d < 2000 {
                    let p = model.losProbability(LinkGeometry(bsHeight: 25, utHeight: hUT, distance2D: d))
                    #expect(p >= 0 && p <= 1)
                    // UMa with C' > 0 rises at mid distances (the high-UT boost), so only check
                    // monotonicity where 38.901 makes it monotone.
                    if !(model is UMaPropagation && hUT > 13) { #expect(p <= previous + 1e-12) }
                    previous = p
                    d += 7.3
                }
            }
        }
    }

    @Test func hostileInputsGiveFiniteResults() {
        let values = [-.infinity, -5, 0, 1e-300, 1, 1e300, .infinity, .nan]
        for model in Self.models {
            for h1 in values {
                for h2 in values {
                    for d in values {
                        var g = LinkGeometry(bsHeight: h1, utHeight: h2, distance2D: d)
                        g.distance3D = d
                        let p = model.losProbability(g)
                        #expect(p.isFinite && p >= 0 && p <= 1)
                        for fc in [0, -1, 1e15, .nan, 28e9] {
                            for los in [true, false] {
                                let pl = model.pathLoss(g, carrierFrequency: fc, los: los)
                                #expect(pl.meanDb.isFinite && pl.shadowSigmaDb.isFinite)
                            }
                        }
                    }
                }
            }
        }
    }

    @Test func scenarioBuildsItsModel() {
        // ClutterSpec has no public memberwise initialiser; start from a default and edit it.
        var clutter = InFSubScenario.dl.defaultClutter
        (clutter.density, clutter.size, clutter.height) = (0.4, 3, 4)
        let inf = PropagationScenario.indoorFactory(.dh, clutter).model
        #expect((inf as? InFPropagation) == InFPropagation(subScenario: .dh, clutter: clutter))
        #expect(PropagationScenario.urbanMicro.model is UMiPropagation)
        #expect(PropagationScenario.urbanMacro.model is UMaPropagation)
    }
}
