/// Physical constants used by the radio models (exact SI values since the 2019 redefinition).
public enum PhysicalConstants {
    /// Speed of light in vacuum c, m/s.
    public static let speedOfLight: Double = 299_792_458
    /// Boltzmann constant k, J/K.
    public static let boltzmann: Double = 1.380649e-23
    /// Standard noise temperature T₀ of receiver noise figures, K.
    public static let referenceTemperature: Double = 290
}
