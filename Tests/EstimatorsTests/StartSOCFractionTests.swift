import Estimators
import QuantizedLSTM
import Testing

/// The start SOC's conversion from a fraction to 0.01 % (`StartSOC.centiPercent(fraction:)`),
/// made by the estimator outside the integer path.
@Suite("Start SOC from a fraction")
struct StartSOCFractionTests {
    @Test("rounded to nearest 0.01 %, 0 … 120 % accepted, NaN/±∞ and out-of-range refused")
    func conversion() throws {
        #expect(try StartSOC.centiPercent(fraction: 0.73456) == 7346)
        #expect(try StartSOC.centiPercent(fraction: 1.2) == 12_000)
        #expect(try StartSOC.centiPercent(fraction: 0) == 0)
        #expect(throws: StartSOCError.outOfRange(centiPercent: 13_000)) { try StartSOC.centiPercent(fraction: 1.3) }
        #expect(throws: StartSOCError.outOfRange(centiPercent: -1)) { try StartSOC.centiPercent(fraction: -0.0001) }
        for bad in [Double.nan, .infinity, -.infinity] {
            #expect(throws: StartSOCError.notFinite) { try StartSOC.centiPercent(fraction: bad) }
        }
        #expect(throws: StartSOCError.outOfRange(centiPercent: .max)) { try StartSOC.centiPercent(fraction: 1e300) }
        #expect(throws: StartSOCError.outOfRange(centiPercent: .min)) { try StartSOC.centiPercent(fraction: -1e300) }
        #expect(StartSOCError.notFinite.description.contains("not a finite"))
    }
}
