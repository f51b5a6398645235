import Testing

@testable import TwinWorld

/// `secondBand` of a base station: decoding and its problems.
@Suite struct SecondBandSpecTests {
    func world(_ band: String) -> String {
        factoryYAML(
            infrastructure: """
                infrastructure:
                  baseStations:
                    - {name: a, position: [10, 10, 6], carrierGHz: 5.9, bandwidthMHz: 40, subcarrierSpacingKHz: 30\(band)}
                    - {name: b, position: [30, 10, 6]}
                """)
    }

    @Test func decodesTheSecondBand() throws {
        let spec = try WorldSpec.decode(
            yaml: world(", secondBand: {carrierGHz: 24, bandwidthMHz: 400, subcarrierSpacingKHz: 120}"), file: "t.yaml")
        #expect(spec.baseStations[0].secondBand == BandSpec(carrierFrequency: 24e9, bandwidth: 400e6, subcarrierSpacing: 120e3))
        #expect(spec.baseStations[0].carrierFrequency == 5.9e9)
        #expect(spec.baseStations[1].secondBand == nil)
        // Absent: no second band.
        #expect(try WorldSpec.decode(yaml: world(""), file: "t.yaml").baseStations[0].secondBand == nil)
    }

    @Test func shippedMultiBandWorldLoads() throws {
        let spec = try shippedWorld("factory-multiband")
        #expect(spec.baseStations.count == 18)
        for bs in spec.baseStations {
            #expect(bs.carrierFrequency == 5.9e9 && bs.bandwidth == 40e6 && bs.subcarrierSpacing == 30e3)
            #expect(bs.secondBand == BandSpec(carrierFrequency: 24e9, bandwidth: 400e6, subcarrierSpacing: 120e3))
        }
    }

    @Test func reportsMissingTypoAndBadValues() {
        let missing = problems(world(", secondBand: {carrierGHz: 24, subcarrierSpacingKHz: 120}"))
        #expect(missing.count == 1)
        #expect(missing.first?.key == "infrastructure.baseStations[0].secondBand.bandwidthMHz")
        #expect(missing.first?.expected == "a bandwidth in MHz")
        #expect(missing.first?.line != nil)

        let typo = problems(world(", secondBand: {carrierGHz: 24, bandwidthMHz: 400, subcarrierSpacingKHz: 120, bandwidthMhz: 100}"))
        #expect(typo.count == 1)
        #expect(typo.first?.key == "infrastructure.baseStations[0].secondBand.bandwidthMhz")
        #expect(typo.first?.found == "unknown key 'bandwidthMhz' (did you mean 'bandwidthMHz'?)")

        let negative = problems(world(", secondBand: {carrierGHz: -24, bandwidthMHz: 400, subcarrierSpacingKHz: 120}"))
        #expect(negative.count == 1)
        #expect(negative.first?.key == "infrastructure.baseStations[0].secondBand.carrierGHz")
        #expect(negative.first?.found == "'-24'")

        let notMapping = problems(world(", secondBand: 24"))
        #expect(notMapping.count == 1)
        #expect(notMapping.first?.key == "infrastructure.baseStations[0].secondBand")
    }

    @Test func reportsSameCarrierAndTooNarrowBand() {
        let same = problems(world(", secondBand: {carrierGHz: 5.9, bandwidthMHz: 400, subcarrierSpacingKHz: 120}"))
        #expect(same.count == 1)
        #expect(same.first?.key == "infrastructure.baseStations[0].secondBand")
        #expect(same.first?.expected == "a carrier other than the primary band's 5.9 GHz")
        #expect(same.first?.found == "5.9 GHz")

        let narrow = problems(world(", secondBand: {carrierGHz: 24, bandwidthMHz: 0.06, subcarrierSpacingKHz: 120}"))
        #expect(narrow.count == 1)
        #expect(narrow.first?.expected == "a bandwidth of at least one subcarrier (120.0 kHz)")
        #expect(narrow.first?.found == "0.06 MHz")
    }
}
