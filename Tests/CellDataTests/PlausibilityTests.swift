import Foundation
import Testing
@testable import CellData

/// Reliability issue rows 13–15: data whose units, current sign or index are probably wrong
/// is refused with a finding that says so, and kept (with the finding) only when the policy
/// accepts it. Every input here is generated; none is a copy of the shared data.
@Suite("Plausibility findings")
struct PlausibilityTests {
    /// A generic CSV of a 2 Ah cell: rest, a 2 A discharge with the voltage falling, rest.
    /// `scale` multiplies the current (1000: mA), `kelvin` adds 273.15 to temperatures,
    /// `signFlip` writes the discharge as positive current under `charge_positive`.
    static func csv(scale: Double = 1, kelvin: Bool = false, signFlip: Bool = false, soc: Double? = nil,
                    header: String = "# current_sign: charge_positive\n", infinityAt: Int? = nil,
                    label: String? = nil) -> String {
        var text = header + "time_s,voltage_v,current_a,temperature_c"
            + (soc == nil ? "" : ",soc") + (label == nil ? "" : ",operation") + "\n"
        var t = 0.0
        for k in 0..<60 {
            let loaded = (10..<50).contains(k)
            let current = (loaded ? -2.0 : 0) * (signFlip ? -1 : 1) * scale
            let voltage = loaded ? 3.9 - 0.005 * Double(k - 10) : (k < 10 ? 4.1 : 3.85)
            let temperature = 25.0 + (kelvin ? 273.15 : 0)
            var row = "\(t),\(voltage),\(k == infinityAt ? "inf" : "\(current)"),\(temperature)"
            if let soc { row += ",\(soc)" }
            if let label { row += ",\(label)" }
            text += row + "\n"
            t += 10
        }
        return text
    }

    /// Parses `text` as a generic CSV and applies the default (refusing) policy.
    func load(_ text: String, accept: Bool = false, currentSign: GenericRecordingCSV.CurrentSign? = nil)
        throws(CellDataError) -> Recording {
        let policy = QualityPolicy(acceptImplausible: accept)
        let r = try GenericRecordingCSV.parse(Array(text.utf8), name: "t.csv",
                                              options: .init(currentSign: currentSign, policy: policy))
        return try Plausibility.enforce(r, policy: policy)
    }

    /// Expects `.implausible` whose findings mention `text`.
    func expectRefused(_ csv: String, mentioning text: String, sourceLocation: SourceLocation = #_sourceLocation) {
        do {
            _ = try load(csv)
            Issue.record("accepted; expected a finding about \(text)", sourceLocation: sourceLocation)
        } catch {
            guard case let .implausible(_, _, findings) = error else {
                Issue.record("wrong error \(error)", sourceLocation: sourceLocation); return
            }
            #expect(findings.contains { $0.contains(text) }, "\(findings)", sourceLocation: sourceLocation)
            #expect(error.description.contains("--accept-implausible"), sourceLocation: sourceLocation)
        }
    }

    @Test("a plausible recording has no finding")
    func plausible() throws {
        let r = try load(Self.csv())
        #expect(Plausibility.findings(r).isEmpty)
    }

    @Test("current in mA, temperature in kelvin, ±inf current, soc in percent are refused (row 14)")
    func units() {
        expectRefused(Self.csv(scale: 1000), mentioning: "probably milliamperes")
        expectRefused(Self.csv(kelvin: true), mentioning: "probably kelvin")
        expectRefused(Self.csv(soc: 5.5), mentioning: "not a percentage")
    }

    @Test("a sign that contradicts the voltage response or the operation label is refused (row 13)")
    func sign() {
        expectRefused(Self.csv(signFlip: true), mentioning: "the current sign is probably reversed")
        // Rows labelled charge whose current is negative (discharge-signed).
        expectRefused(Self.csv(label: "charge"), mentioning: "contradicts the operation")
    }

    @Test("a ±inf current is dropped with a finding, never passed on or written (row 14)")
    func infinity() throws {
        let r = try load(Self.csv(infinityAt: 20))
        #expect(r.operations.allSatisfy { $0.samples.currentA.allSatisfy { $0.isFinite } })
        #expect(r.qualityFindings.contains { $0.kind == .nanSample && $0.detail.contains("±infinity") })
    }

    @Test("accepted explicitly: kept, with the findings in the recording")
    func accepted() throws {
        let r = try load(Self.csv(scale: 1000), accept: true)
        #expect(r.qualityFindings.contains { $0.kind == .implausible && $0.detail.contains("milliamperes") })
    }

    @Test("two conflicting current_sign lines, or an option against the file's line, are errors (row 13)")
    func conflictingSign() {
        let twice = "# current_sign: charge_positive\n# current_sign: discharge_positive\n"
        #expect { _ = try load(Self.csv(header: twice)) } throws: { error in
            "\(error)".contains("'charge_positive' and 'discharge_positive'")
        }
        #expect { _ = try load(Self.csv(), currentSign: .dischargePositive) } throws: { error in
            "\(error)".contains("the file and the option disagree")
        }
        // The same sign twice, or the option agreeing with the file, is fine.
        #expect(throws: Never.self) { _ = try load(Self.csv(header: "# current_sign: charge_positive\n# current_sign: charge_positive\n")) }
        #expect(throws: Never.self) { _ = try load(Self.csv(), currentSign: .chargePositive) }
    }

    @Test("metadata that is not a number is an error, not dropped (row 14)")
    func badMetadata() {
        let header = "# current_sign: charge_positive\n# ambient_temperature_c: hot\n"
        #expect { _ = try load(Self.csv(header: header)) } throws: { error in
            "\(error)".contains("ambient_temperature_c") && "\(error)".contains("hot")
        }
        expectRefused(Self.csv(header: "# current_sign: charge_positive\n# ambient_temperature_c: 298\n"),
                      mentioning: "ambient temperature 298")
    }
}
