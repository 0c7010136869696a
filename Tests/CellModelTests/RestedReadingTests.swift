import Foundation
import Testing
import TestSupport
@testable import CellModel

/// `OCVCurve.restedSOC` (what a rested reading says about the SOC, nearest to a prior),
/// `RestedOCVFloor.fit` and the `restedOCVTrustedFromSOC` field of `cell.json`, against values
/// worked out by hand on small tables (not by calling the code under test).
@Suite("Rested readings: restedSOC, the trusted-from floor and its cell.json field")
struct RestedReadingTests {
    static let minimumSlope = 0.1   // V per unit SOC (EstimatorConfig's default: 1 mV per %)

    /// One temperature, flat in the middle:
    ///
    ///     SOC  0     0.3    0.5    0.7    1
    ///     V    3.0   3.6    3.61   3.62   4.2
    ///
    /// slopes 2, 0.05, 0.05, 1.9333 V/SOC: the flat stretch is [0.3, 0.7] (3.60–3.62 V).
    static let middleFlat = OCVCurve(table: SOCTemperatureTable(
        socPoints: [0, 0.3, 0.5, 0.7, 1], temperaturesC: [25], values: [3.0, 3.6, 3.61, 3.62, 4.2]))

    /// The documented example: 3.0 V at 0, 3.001 V at 0.2, 4.2 V at 1 (flat below 0.2).
    static let flatBottom = OCVCurve(table: SOCTemperatureTable(
        socPoints: [0, 0.2, 1], temperaturesC: [25], values: [3.0, 3.001, 4.2]))

    /// Straight line 3.4 V at 0 to 4.2 V at 1 (0.8 V/SOC everywhere).
    static let straight = OCVCurve(table: SOCTemperatureTable(
        socPoints: [0, 1], temperaturesC: [25], values: [3.4, 4.2]))

    /// OCV⁻¹ of `middleFlat` written out by hand (piecewise linear, extrapolated with the end
    /// slopes, clamped to the grid ± 0.2 as the inverse documents).
    static func middleFlatInverse(_ v: Double) -> Double {
        let s: Double
        switch v {
        case ..<3.6: s = (v - 3.0) / 2
        case ..<3.61: s = 0.3 + (v - 3.6) / 0.05
        case ..<3.62: s = 0.5 + (v - 3.61) / 0.05
        default: s = 0.7 + (v - 3.62) / (0.58 / 0.3)
        }
        return min(max(s, -0.2), 1.2)
    }

    func rested(_ curve: OCVCurve, _ v: Double, prior: Double, floor: Double? = nil) -> Double {
        curve.restedSOC(voltageV: v, temperatureC: 25, nearest: prior, minimumSlopeVPerSOC: Self.minimumSlope,
                        trustedFromSOC: floor)
    }

    @Test("steep region: the inverse whatever the prior, capped at 1 above the table top")
    func steepRegionGivesTheInverse() {
        // 3.3 V on the first segment: (3.3 − 3.0) / 2 = 0.15.
        for prior in [-0.5, 0.0, 0.15, 0.9, 1.7] {
            #expect(abs(rested(Self.middleFlat, 3.3, prior: prior) - 0.15) < 1e-12)
        }
        // 3.9 V on the last segment: 0.7 + 0.28 / 1.9333 = 0.844828.
        #expect(abs(rested(Self.middleFlat, 3.9, prior: 0.1) - (0.7 + 0.28 * 0.3 / 0.58)) < 1e-12)
        // The documented example: OCV⁻¹(3.9) = 0.2 + 0.899 / 1.199 · 0.8 = 0.799833.
        #expect(abs(rested(Self.flatBottom, 3.9, prior: 0.1) - (0.2 + 0.899 / 1.199 * 0.8)) < 1e-12)
        // At and above the top: full, never more (the inverse alone would give 1.0517 / 1.2).
        #expect(rested(Self.middleFlat, 4.2, prior: 0.3) == 1)
        #expect(rested(Self.middleFlat, 4.3, prior: 0.3) == 1)
        #expect(rested(Self.middleFlat, 9.0, prior: 1.5) == 1)
        #expect(Self.middleFlat.soc(voltageV: 4.3, temperatureC: 25) > 1)   // so the cap is what did it
        // Below the table: the inverse's clamp (grid − 0.2).
        #expect(abs(rested(Self.middleFlat, 2.0, prior: 0.5) - (-0.2)) < 1e-12)
    }

    @Test("flat stretch: a prior inside is kept, one outside moves to the nearest edge")
    func flatStretchClampsThePrior() {
        // 3.605 V maps to 0.4, inside the flat stretch [0.3, 0.7].
        #expect(abs(rested(Self.middleFlat, 3.605, prior: 0.55) - 0.55) < 1e-15)
        #expect(abs(rested(Self.middleFlat, 3.605, prior: 0.31) - 0.31) < 1e-15)
        #expect(abs(rested(Self.middleFlat, 3.605, prior: 0.1) - 0.3) < 1e-15)
        #expect(abs(rested(Self.middleFlat, 3.605, prior: 0.95) - 0.7) < 1e-15)
        #expect(abs(rested(Self.middleFlat, 3.615, prior: -1) - 0.3) < 1e-15)
        // The documented example: flat below 0.2, extended to the inverse's limit −0.2 at the grid's end.
        #expect(abs(rested(Self.flatBottom, 3.0005, prior: 0.9) - 0.2) < 1e-15)
        #expect(abs(rested(Self.flatBottom, 3.0005, prior: 0.05) - 0.05) < 1e-15)
        #expect(abs(rested(Self.flatBottom, 3.0005, prior: -0.7) - (-0.2)) < 1e-15)
    }

    @Test("trustedFromSOC: a low reading clamps the prior to at most the floor; a high one is read as usual")
    func floorBoundsLowReadingsOnly() throws {
        // 3.6 V on the straight line maps to 0.25, below the floor 0.5: "SOC ≤ 0.5".
        #expect(rested(Self.straight, 3.6, prior: 0.95, floor: 0.5) == 0.5)
        #expect(rested(Self.straight, 3.6, prior: 0.02, floor: 0.5) == 0.02)
        #expect(rested(Self.straight, 3.6, prior: 0.45, floor: 0.5) == 0.45)
        #expect(abs(rested(Self.straight, 3.6, prior: -1, floor: 0.5) - (-0.2)) < 1e-15)
        // Without the floor the same reading is simply the inverse.
        #expect(abs(rested(Self.straight, 3.6, prior: 0.95) - 0.25) < 1e-12)
        // 4.0 V maps to 0.75, above the floor: the inverse, whatever the prior.
        for prior in [-0.3, 0.1, 0.75, 1.4] {
            #expect(abs(rested(Self.straight, 4.0, prior: prior, floor: 0.5) - 0.75) < 1e-12)
        }
        // CellModelParameters.restedSOC applies the model's own floor (and none when nil).
        var model = CellModelParameters.synthetic18650()
        model.restedOCVTrustedFromSOC = nil
        let v = model.ocv.voltage(soc: 0.2, temperatureC: 25)
        try #require(model.ocv.slope(soc: 0.2, temperatureC: 25) >= Self.minimumSlope)   // informative there
        let open = model.restedSOC(voltageV: v, temperatureC: 25, nearest: 0.95, minimumSlopeVPerSOC: Self.minimumSlope)
        #expect(abs(open - 0.2) < 1e-9)
        model.restedOCVTrustedFromSOC = 0.6
        #expect(model.restedSOC(voltageV: v, temperatureC: 25, nearest: 0.95, minimumSlopeVPerSOC: Self.minimumSlope) == 0.6)
        #expect(model.restedSOC(voltageV: v, temperatureC: 25, nearest: 0.1, minimumSlopeVPerSOC: Self.minimumSlope) == 0.1)
    }

    @Test("property: over many readings and priors the result is the hand-worked answer and consistent with the reading")
    func resultIsAlwaysConsistent() {
        let priors = stride(from: -1.0, through: 2.0, by: 0.025).map { $0 }
        let voltages = stride(from: 2.5, through: 4.5, by: 0.0025).map { $0 }
        var steepChecked = 0, flatChecked = 0, boundChecked = 0
        for floor in [nil, 0.5] as [Double?] {
            // (Readings within 1 nV of a breakpoint are skipped: which side rounding puts them
            // on is not the point.)
            for v in voltages where ![3.6, 3.61, 3.62, 4.2].contains(where: { abs($0 - v) < 1e-9 }) {
                let target = min(Self.middleFlatInverse(v), 1)
                let flat = v >= 3.6 && v < 3.62
                for prior in priors {
                    let r = rested(Self.middleFlat, v, prior: prior, floor: floor)
                    #expect(r.isFinite)
                    if let floor, target < floor {
                        // Only bounded: at most the floor, and a prior already below it is kept
                        // (down to the inverse's lower limit).
                        #expect(r <= floor + 1e-15)
                        #expect(abs(r - min(max(prior, -0.2), floor)) < 1e-12, "V \(v) prior \(prior)")
                        boundChecked += 1
                    } else if flat {
                        // Anywhere on [0.3, 0.7] the OCV is within 20 mV of the reading; the
                        // result is the prior clamped into the stretch.
                        #expect(r >= 0.3 - 1e-12 && r <= 0.7 + 1e-12)
                        #expect(abs(r - min(max(prior, 0.3), 0.7)) < 1e-12, "V \(v) prior \(prior)")
                        #expect(abs(Self.middleFlat.voltage(soc: r, temperatureC: 25) - v) <= 0.02 + 1e-12)
                        flatChecked += 1
                    } else {
                        #expect(abs(r - target) < 1e-9, "V \(v) prior \(prior): \(r) vs \(target)")
                        // Inside the reachable range the OCV at the result is the reading.
                        if target > -0.2 && target < 1 {
                            #expect(abs(Self.middleFlat.voltage(soc: r, temperatureC: 25) - v) < 1e-9)
                        }
                        steepChecked += 1
                    }
                }
            }
        }
        #expect(steepChecked > 10_000 && flatChecked > 500 && boundChecked > 5_000)
    }

    @Test("RestedOCVFloor.fit: highest reading's SOC plus the margin, capped at 1, nil without readings")
    func floorFit() throws {
        typealias R = RestedOCVFloor.Reading
        // Straight line: 3.6 V → 0.25, 3.8 V → 0.5, 3.5 V → 0.125.
        let readings = [R(voltageV: 3.6, temperatureC: 25), R(voltageV: 3.8, temperatureC: 25), R(voltageV: 3.5, temperatureC: 25)]
        #expect(abs(try #require(RestedOCVFloor.fit(readings, ocv: Self.straight)) - 0.55) < 1e-12)
        #expect(abs(try #require(RestedOCVFloor.fit(readings, ocv: Self.straight, margin: 0.1)) - 0.6) < 1e-12)
        #expect(RestedOCVFloor.defaultMargin == 0.05)
        // 4.18 V → 0.975, + 0.05 would be 1.025: capped.
        #expect(RestedOCVFloor.fit([R(voltageV: 4.18, temperatureC: 25)], ocv: Self.straight) == 1)
        #expect(RestedOCVFloor.fit([], ocv: Self.straight) == nil)
        // The reading's temperature is used: rows 3.3–4.1 V at 0 °C and 3.4–4.2 V at 40 °C;
        // 3.8 V is 0.625 at 0 °C and 0.5 at 40 °C.
        let twoRows = OCVCurve(table: SOCTemperatureTable(socPoints: [0, 1], temperaturesC: [0, 40],
                                                          values: [3.3, 4.1, 3.4, 4.2]))
        #expect(abs(try #require(RestedOCVFloor.fit([R(voltageV: 3.8, temperatureC: 0)], ocv: twoRows)) - 0.675) < 1e-12)
        #expect(abs(try #require(RestedOCVFloor.fit([R(voltageV: 3.8, temperatureC: 40)], ocv: twoRows)) - 0.55) < 1e-12)
    }

    // MARK: - cell.json field

    static var bundledURL: URL { SharedData.fixtures.appendingPathComponent("models/cell-default.json") }

    func bundledJSON() throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: Self.bundledURL)) as? [String: Any])
    }

    func decode(_ object: [String: Any]) throws(CellModelFileError) -> CellModelParameters {
        let data = try! JSONSerialization.data(withJSONObject: object)
        return try CellModelFile.decode(data, file: "bad.json")
    }

    /// The field an error names.
    static func field(_ error: CellModelFileError) -> String? {
        switch error {
        case .malformed(_, let f, _), .missingField(_, let f), .nonFinite(_, let f), .notPositive(_, let f, _),
             .notIncreasing(_, let f, _, _), .shapeMismatch(_, let f, _, _), .outOfRange(_, let f, _, _):
            return f
        case .unreadable, .unsupportedFormat:
            return nil
        }
    }

    @Test("the bundled model loads with a floor between 0.5 and 0.7, and the field round-trips")
    func bundledModelHasTheFloor() throws {
        let model = try CellModelFile.load(from: Self.bundledURL)
        let floor = try #require(model.restedOCVTrustedFromSOC)
        #expect(floor > 0.5 && floor < 0.7)
        // Set to another valid value, and removed (the field is optional).
        var o = try bundledJSON()
        o["restedOCVTrustedFromSOC"] = -0.25
        #expect(try decode(o).restedOCVTrustedFromSOC == -0.25)
        o["restedOCVTrustedFromSOC"] = 1
        #expect(try decode(o).restedOCVTrustedFromSOC == 1)
        o.removeValue(forKey: "restedOCVTrustedFromSOC")
        #expect(try decode(o).restedOCVTrustedFromSOC == nil)
        // Encoded and decoded again, the value survives (compared by hand: `==` is not asked).
        let back = try CellModelFile.decode(try CellModelFile.encode(model))
        #expect(back.restedOCVTrustedFromSOC == floor)
    }

    /// A bad value for the field, as it is put into the JSON.
    enum BadValue: Sendable, CustomStringConvertible {
        /// A string: "NaN"/"inf"/"-inf" decode as non-finite numbers; anything else is the wrong type.
        case string(String)
        /// A finite number outside [-1, 1].
        case number(Double)

        var json: Any {
            switch self {
            case .string(let s): return s
            case .number(let x): return x
            }
        }
        var description: String {
            switch self {
            case .string(let s): return "\"\(s)\""
            case .number(let x): return "\(x)"
            }
        }
    }

    @Test("a non-finite, out-of-range or mistyped restedOCVTrustedFromSOC is rejected naming the field",
          arguments: [BadValue.string("NaN"), .string("inf"), .string("-inf"), .number(3), .number(-2),
                      .number(1.0000001), .number(-1.5), .string("0.5")])
    func badFloorIsRejected(_ value: BadValue) throws {
        var o = try bundledJSON()
        o["restedOCVTrustedFromSOC"] = value.json
        do {
            let model = try decode(o)
            Issue.record("accepted restedOCVTrustedFromSOC = \(value) (read as \(String(describing: model.restedOCVTrustedFromSOC)))")
        } catch {
            #expect(Self.field(error) == "restedOCVTrustedFromSOC", "\(error)")
            #expect(error.description.contains("restedOCVTrustedFromSOC"))
            switch value {
            case .string(let s) where ["NaN", "inf", "-inf"].contains(s):
                #expect(error == .nonFinite(file: "bad.json", field: "restedOCVTrustedFromSOC"))
            case .number(let x):
                #expect(error.description.contains("[-1, 1]") && error.description.contains("\(x)"), "\(error)")
            default:
                break
            }
        }
    }
}
