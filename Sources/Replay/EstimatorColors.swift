/// The colour of each estimator in every plot and report: fixed by the estimator's name, never
/// by its position in a list, so `ekf` has one colour in every run and every figure.
///
/// The known methods (aliases included: `ekf` = `ekf-1rc`, `ukf` = `ukf-1rc`) have fixed
/// colours; a 1RC filter and its 2RC variant share a hue, the 2RC one darker. Any other name
/// gets a colour derived from its FNV-1a-64 digest (hue = digest mod 360, saturation 65 %,
/// lightness 42 %), the same on every machine and in every run:
///
/// ```
/// EstimatorColors.color(for: "ekf")      // "#2ca02c"
/// EstimatorColors.color(for: "ekf-1rc")  // "#2ca02c"
/// EstimatorColors.color(for: "my-filter") // "#…", always the same
/// ```
public enum EstimatorColors {
    /// The reference SOC's colour.
    public static let reference = "#000000"

    /// Fixed colours of the known methods.
    public static let fixed: [String: String] = [
        "ah": "#1f77b4", "ah-pure": "#7fb2de",
        "ocv": "#ff7f0e",
        "ekf": "#2ca02c", "ekf-1rc": "#2ca02c", "ekf-2rc": "#145214",
        "ukf": "#d62728", "ukf-1rc": "#d62728", "ukf-2rc": "#8b1a1a",
        "lstm": "#9467bd", "ekf+lstm": "#17becf",
    ]

    /// The colour of `name` as `#rrggbb`.
    public static func color(for name: String) -> String {
        if let known = fixed[name] { return known }
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in name.utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01B3 }
        return hex(hue: Double(hash % 360), saturation: 0.65, lightness: 0.42)
    }

    /// HSL (hue in degrees, saturation and lightness in [0, 1]) as `#rrggbb`.
    static func hex(hue: Double, saturation: Double, lightness: Double) -> String {
        let chroma = (1 - abs(2 * lightness - 1)) * saturation
        let h = hue / 60
        let x = chroma * (1 - abs(h.truncatingRemainder(dividingBy: 2) - 1))
        let (r, g, b): (Double, Double, Double) = switch Int(h) % 6 {
        case 0: (chroma, x, 0)
        case 1: (x, chroma, 0)
        case 2: (0, chroma, x)
        case 3: (0, x, chroma)
        case 4: (x, 0, chroma)
        default: (chroma, 0, x)
        }
        let m = lightness - chroma / 2
        func byte(_ v: Double) -> String { SVGDocument.hexByte(Int(((v + m) * 255).rounded())) }
        return "#" + byte(r) + byte(g) + byte(b)
    }
}
