import ArgumentParser
import CellData

/// `--accept-implausible` for the commands that fit, train or score on recorded data: data
/// whose units or current sign look wrong, or whose index disagrees with its sample files
/// (`CellData.Plausibility`), is refused (status 65) unless this is given; then it is used
/// and the findings are kept with the recording.
struct AcceptImplausibleOption: ParsableArguments {
    @Flag(name: .customLong("accept-implausible"), help: "Use data whose units or current sign look wrong (mA, kelvin, a sign against the operation or the voltage, an index that disagrees with its files) instead of refusing it.")
    var acceptImplausible = false

    /// The reading rules these options ask for.
    var policy: QualityPolicy { QualityPolicy(acceptImplausible: acceptImplausible) }
}
