import ArgumentParser
import CellData
import CellModel
import Foundation

/// The drive-cycle options of `bmsim simulate`: which trace, how it is scaled to the cell, the
/// vehicle that turns a speed trace into power, when the drive stops and the recharge after it.
struct DriveOptions: ParsableArguments {
    /// The standard cycles shipped in `Fixtures/drive_cycles` (speed traces from FASTSim).
    static let standardCycles = ["udds", "us06", "wltc", "hwfet"]

    @Option(name: .customLong("peak-c"), help: "Scale the trace so its peak discharge is this C-rate (a power or speed trace: this C-rate × the capacity × the cell's OCV at 50 %).")
    var peakC: Double?

    @Option(name: .customLong("peak-power"), help: "Scale the trace so its peak discharge is this cell power, W.")
    var peakPower: Double?

    @Option(name: .customLong("current-sign"), help: "Sign of a current or power trace without a '# current_sign:' line: charge_positive or discharge_positive (PyBaMM's profiles, e.g. ../shared/data/drive_cycles/UDDS.csv, are discharge_positive).")
    var currentSign: String?

    @Option(name: .customLong("start-soc"), help: "SOC at the start of a drive cycle.")
    var startSOC: Double = 1

    @Option(name: .customLong("stop-soc"), help: "Stop driving when the SOC falls to this.")
    var stopSOC: Double = 0.1

    @Option(name: .customLong("stop-voltage"), help: "Stop driving when the voltage falls below this, V.")
    var stopVoltage: Double = 2.7

    @Option(name: .customLong("rest-between"), help: "Rest between repeats of the cycle, s.")
    var restBetween: Double = 300

    @Option(name: .customLong("charge-voltage"), help: "CV voltage of the recharge at the end, and no regeneration at or above it, V.")
    var chargeVoltage: Double = 4.2

    @Flag(name: .customLong("no-recharge"), help: "End after the drive (and a rest) instead of a CC–CV recharge at C/2.")
    var noRecharge = false

    @Option(name: .customLong("vehicle-mass"), help: "Vehicle mass for a speed trace, kg.")
    var vehicleMass: Double = VehicleModel().massKg

    @Option(name: .customLong("drag-area"), help: "Drag coefficient × frontal area, m².")
    var dragArea: Double = VehicleModel().dragAreaM2

    @Option(name: .customLong("rolling-resistance"), help: "Rolling-resistance coefficient.")
    var rollingResistance: Double = VehicleModel().rollingResistance

    @Option(name: .customLong("drivetrain-efficiency"), help: "Battery-to-wheel efficiency (0…1].")
    var drivetrainEfficiency: Double = VehicleModel().drivetrainEfficiency

    @Option(name: .customLong("regeneration-share"), help: "Share of the braking power regenerated (0…1).")
    var regenerationShare: Double = VehicleModel().regenerationShare

    @Option(name: .customLong("pack"), help: ArgumentHelp("Pack of the vehicle, series × parallel cells.", valueName: "SxP"))
    var pack: String = "96x30"

    func validate() throws {
        if let peakC { try OptionCheck.require(peakC, in: 0.01...50, "--peak-c") }
        if let peakPower { try OptionCheck.require(peakPower, in: 0.001...10_000, "--peak-power", unit: "W") }
        if peakC != nil && peakPower != nil { throw ValidationError("give --peak-c or --peak-power, not both") }
        if let currentSign, GenericRecordingCSV.CurrentSign(rawValue: currentSign) == nil {
            throw ValidationError("--current-sign \(currentSign): expected charge_positive or discharge_positive")
        }
        try OptionCheck.require(startSOC, in: 0...1, "--start-soc")
        try OptionCheck.require(stopSOC, in: 0...1, "--stop-soc")
        try OptionCheck.require(stopVoltage, in: 0.5...5, "--stop-voltage", unit: "V")
        try OptionCheck.require(restBetween, in: 0...86_400, "--rest-between", unit: "s")
        try OptionCheck.require(chargeVoltage, in: 1...5, "--charge-voltage", unit: "V")
        try OptionCheck.require(vehicleMass, in: 50...100_000, "--vehicle-mass", unit: "kg")
        try OptionCheck.require(dragArea, in: 0...20, "--drag-area", unit: "m²")
        try OptionCheck.require(rollingResistance, in: 0...0.1, "--rolling-resistance")
        try OptionCheck.require(drivetrainEfficiency, in: 0.05...1, "--drivetrain-efficiency")
        try OptionCheck.require(regenerationShare, in: 0...1, "--regeneration-share")
        guard packCells != nil else { throw ValidationError("--pack \(pack): expected SxP, e.g. 96x30") }
    }

    /// (series, parallel) of `--pack`.
    var packCells: (series: Int, parallel: Int)? {
        let parts = pack.lowercased().split(separator: "x")
        guard parts.count == 2, let s = Int(parts[0]), let p = Int(parts[1]), (1...10_000).contains(s), (1...10_000).contains(p)
        else { return nil }
        return (s, p)
    }

    /// The vehicle of `--vehicle-mass` … `--pack`.
    var vehicle: VehicleModel {
        var v = VehicleModel()
        v.massKg = vehicleMass
        v.dragAreaM2 = dragArea
        v.rollingResistance = rollingResistance
        v.drivetrainEfficiency = drivetrainEfficiency
        v.regenerationShare = regenerationShare
        if let (s, p) = packCells { v.seriesCells = s; v.parallelCells = p }
        return v
    }

    /// A one-line account of the settings for the recording's `# source:` comment.
    var summary: String {
        "peak \(peakC.map { "\($0) C" } ?? peakPower.map { "\($0) W" } ?? "as traced"), start SOC \(startSOC), "
            + "stop at SOC \(stopSOC) or \(stopVoltage) V, rests \(restBetween) s, " + (noRecharge ? "no recharge" : "CC–CV recharge")
    }

    /// The trace of `--profile`: a standard cycle's speed, or a file.
    func trace(profile: String) throws -> DriveProfileCSV.Trace {
        let path = Self.standardCycles.contains(profile)
            ? BundledData.fixtures.appendingPathComponent("drive_cycles/\(profile).csv").path : profile
        return try DriveProfileCSV.read(path: path, currentSign: currentSign.flatMap(GenericRecordingCSV.CurrentSign.init))
    }

    /// Segments of a drive: a short rest, the cycle repeated down to the stop SOC or voltage, a
    /// rest, and (unless `--no-recharge`) a CC–CV recharge at C/2 and a rest.
    func segments(profile: String, cell: CellModelParameters, capacityAh: Double) throws -> [ProfileSegment] {
        let trace = try trace(profile: profile)
        let nominal = cell.ocv.voltage(soc: 0.5, temperatureC: 25)
        let values = trace.quantity == .speed ? vehicle.cellPowerW(speedMps: trace.values, timeS: trace.timeS) : trace.values
        guard let demand = DriveDemand.make(timeS: trace.timeS, values: values, isPower: trace.quantity != .current,
                                            peakC: peakC, peakPowerW: peakPower, capacityAh: capacityAh,
                                            nominalVoltageV: nominal) else {
            throw ValidationError("\(profile): the trace never discharges the cell, so it cannot be scaled to a peak")
        }
        var segments: [ProfileSegment] = [
            .rest(durationS: 120),
            .drive(DriveSegment(demand: demand, restBetweenS: restBetween, stopBelowSOC: stopSOC, stopBelowV: stopVoltage,
                                chargeLimitV: chargeVoltage)),
            .rest(durationS: 1800),
        ]
        if !noRecharge {
            segments += [.cccvCharge(currentA: capacityAh / 2, voltageV: chargeVoltage, cutoffA: capacityAh / 20,
                                     durationS: 6 * 3600),
                         .rest(durationS: 1800)]
        }
        return segments
    }
}
