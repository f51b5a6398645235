extension WorldDecoder {
    /// A base station's `secondBand: {carrierGHz, bandwidthMHz, subcarrierSpacingKHz}` (all
    /// three required): a second carrier the BS senses on with the same transmit power, array
    /// and noise figure; its echoes are fused with the primary band's (README "Multi-band base
    /// stations"). The bandwidth must hold at least one subcarrier and the carrier must differ
    /// from the primary one.
    func decodeSecondBand(_ value: YAMLValue?, primary: BaseStationSpec) throws -> BandSpec? {
        guard let value else { return nil }
        var m = try value.mapping()
        defer { m.finish() }
        let carrier = try m.positive("carrierGHz", "a carrier frequency in GHz") * 1e9
        let bandwidth = try m.positive("bandwidthMHz", "a bandwidth in MHz") * 1e6
        let spacing = try m.positive("subcarrierSpacingKHz", "a subcarrier spacing in kHz") * 1e3
        if bandwidth < spacing {
            context.report(
                at: value, expected: "a bandwidth of at least one subcarrier (\(spacing / 1e3) kHz)",
                found: "\(bandwidth / 1e6) MHz")
        }
        if carrier == primary.carrierFrequency {
            context.report(
                at: value, expected: "a carrier other than the primary band's \(primary.carrierFrequency / 1e9) GHz",
                found: "\(carrier / 1e9) GHz")
        }
        return BandSpec(carrierFrequency: carrier, bandwidth: bandwidth, subcarrierSpacing: spacing)
    }
}
