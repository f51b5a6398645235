import Foundation
import Testing
import TwinRadio

struct LinkBudgetTests {
    @Test func noisePowerFor400MHzAndNF7() {
        // k T = 1.380649e-23 · 290 = 4.0038821e-21 W/Hz → −203.9752 dBW/Hz = −173.9752 dBm/Hz.
        // 10 log10(400e6) = 86.0206. N = −173.9752 + 86.0206 + 7 = −80.9546 dBm.
        let n = LinkBudget.noisePowerDbm(bandwidth: 400e6, noiseFigureDb: 7)
        #expect(close(n, -80.9546, 1e-4))
        // The rule of thumb −174 dBm/Hz + 86.02 + 7 = −80.98 dBm agrees to its rounding.
        #expect(close(n, -174 + 86.02 + 7, 0.03))
        // Doubling the temperature adds 10 log10 2 = 3.0103 dB.
        #expect(
            close(
                LinkBudget.noisePowerDbm(bandwidth: 400e6, noiseFigureDb: 7, temperature: 580), -80.9546 + 3.0103, 1e-4)
        )
    }

    @Test func gains() {
        #expect(close(LinkBudget.arrayGainDb(elements: 64), 18.0618, 1e-4))  // 10 log10 64
        #expect(close(LinkBudget.arrayGainDb(elements: 1), 0, 1e-15))
        // 3300 subcarriers × 14 symbols = 46200 → 10 log10 46200 = 46.6464 dB.
        #expect(close(LinkBudget.coherentIntegrationGainDb(subcarriers: 3300, symbols: 14), 46.6464, 1e-4))
    }

    @Test func freeSpacePathLoss() {
        // λ = c / 28 GHz = 0.010706874 m; 20 log10(4π · 100 / 0.010706874) = 20 log10(117367.6) = 101.3909
        let lambda = LinkBudget.wavelength(carrierFrequency: 28e9)
        #expect(close(lambda, 0.010706874, 1e-9))
        #expect(close(LinkBudget.freeSpacePathLossDb(distance: 100, wavelength: lambda), 101.3909, 1e-4))
    }

    @Test func echoPowerByHand() {
        // 30 + 20 + 20 − 100 − 110 + 10 log10(4π · 1 / 0.1²) = −140 + 10 log10(1256.637) = −140 + 30.9921
        let p = LinkBudget.bistaticEchoPowerDbm(
            txPowerDbm: 30, txGainDb: 20, rxGainDb: 20, pathLossTxDb: 100,
            pathLossRxDb: 110, rcsDbsm: 0, wavelength: 0.1)
        #expect(close(p, -109.0079, 1e-4))
    }

    @Test func echoWithFreeSpaceLossIsTheClassicRadarEquation() {
        // P_r = P_t G_t G_r λ² σ / ((4π)³ d_tx² d_rx²), computed in linear units.
        let cases: [(pt: Double, gt: Double, gr: Double, dTx: Double, dRx: Double, rcs: Double, f: Double)] = [
            (30, 20, 20, 50, 80, -1.37, 28e9),
            (46, 15, 10, 300, 20, 11.25, 3.5e9),
            (23, 0, 0, 1, 1, -12.81, 5.9e9),
            (10, 25, 25, 2000, 1500, 20, 60e9),
        ]
        for k in cases {
            let lambda = 299_792_458.0 / k.f
            let db = LinkBudget.bistaticEchoPowerDbm(
                txPowerDbm: k.pt, txGainDb: k.gt, rxGainDb: k.gr,
                pathLossTxDb: LinkBudget.freeSpacePathLossDb(distance: k.dTx, wavelength: lambda),
                pathLossRxDb: LinkBudget.freeSpacePathLossDb(distance: k.dRx, wavelength: lambda),
                rcsDbsm: k.rcs, wavelength: lambda)
            let ptMilliwatt = pow(10, k.pt / 10)
            let gt = pow(10, k.gt / 10)
            let gr = pow(10, k.gr / 10)
            let sigma = pow(10, k.rcs / 10)
            let fourPiCubed = pow(4 * Double.pi, 3)
            let pr = ptMilliwatt * gt * gr * lambda * lambda * sigma / (fourPiCubed * k.dTx * k.dTx * k.dRx * k.dRx)
            #expect(close(db, 10 * log10(pr), 1e-9))
        }
    }

    @Test func dbConversions() {
        #expect(close(LinkBudget.linear(fromDb: 30), 1000, 1e-9))
        #expect(close(LinkBudget.db(fromLinear: 0.5), -3.0103, 1e-4))
    }
}
