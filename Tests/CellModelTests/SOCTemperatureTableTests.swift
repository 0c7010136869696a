import Testing
@testable import CellModel

@Suite("SOC × temperature tables and the OCV curve")
struct SOCTemperatureTableTests {
    let table = SOCTemperatureTable(socPoints: [0, 0.5, 1], temperaturesC: [0, 40],
                                    values: [1, 2, 4, 3, 4, 8])

    @Test("bilinear interpolation matches a hand-worked value")
    func handWorked() {
        // At T = 10 (¼ of the way): row blend = [1.5, 2.5, 5]; at SOC 0.75: 2.5 + 0.5·2.5 = 3.75.
        #expect(abs(table.value(soc: 0.75, temperatureC: 10) - 3.75) < 1e-12)
        // Clamped in temperature and SOC (no extrapolation for this table).
        #expect(table.value(soc: 2, temperatureC: 100) == 8)
        #expect(table.value(soc: -1, temperatureC: -20) == 1)
    }

    @Test("a grid position read from several tables equals the direct lookup")
    func positionLookup() {
        let other = SOCTemperatureTable(socPoints: [0, 0.5, 1], temperaturesC: [0, 40], values: [9, 7, 5, 3, 2, 1])
        for soc in stride(from: -0.3, through: 1.3, by: 0.05) {
            for t in [-10.0, 0, 7, 20, 33, 40, 60] {
                let at = table.position(soc: soc, temperatureC: t)
                #expect(abs(table.value(at: at) - table.value(soc: soc, temperatureC: t)) < 1e-12)
                #expect(abs(other.value(at: at) - other.value(soc: soc, temperatureC: t)) < 1e-12)
            }
        }
        #expect(table.sharesGrid(with: other))
    }

    @Test("slope agrees with central finite differences inside segments")
    func slopeMatchesFiniteDifferences() {
        for soc in stride(from: 0.03, through: 0.97, by: 0.07) where abs(soc - 0.5) > 0.01 {
            for t in [-5.0, 0, 13, 27, 40, 55] {
                let h = 1e-6
                let fd = (table.value(soc: soc + h, temperatureC: t) - table.value(soc: soc - h, temperatureC: t)) / (2 * h)
                #expect(abs(table.valueAndSlope(soc: soc, temperatureC: t).slope - fd) < 1e-6)
            }
        }
    }

    @Test("OCV inverse undoes the OCV at any temperature, also when extrapolating, and clamps")
    func ocvInverse() {
        let ocv = CellModelParameters.synthetic18650().ocv
        #expect(ocv.soc(voltageV: 0.5, temperatureC: 25) == -OCVCurve.inverseExtrapolationLimit)
        #expect(ocv.soc(voltageV: 9.0, temperatureC: 25) == 1 + OCVCurve.inverseExtrapolationLimit)
        for soc in stride(from: -0.19, through: 1.19, by: 0.013) {
            for t in [0.0, 4, 15, 24, 37, 44, 60] {
                let v = ocv.voltage(soc: soc, temperatureC: t)
                #expect(abs(ocv.soc(voltageV: v, temperatureC: t) - soc) < 1e-9)
            }
        }
    }

    @Test("OCV slope is positive and matches finite differences")
    func ocvSlope() {
        let ocv = CellModelParameters.synthetic18650().ocv
        for soc in stride(from: 0.01, through: 0.99, by: 0.0237) {
            let h = 1e-7
            let fd = (ocv.voltage(soc: soc + h, temperatureC: 20) - ocv.voltage(soc: soc - h, temperatureC: 20)) / (2 * h)
            let slope = ocv.slope(soc: soc, temperatureC: 20)
            #expect(slope > 0)
            #expect(abs(slope - fd) < 1e-5 * max(1, abs(fd)))
        }
    }

    @Test("isotonic repair of an OCV row is non-decreasing and keeps the mean of a violating pair")
    func isotonic() {
        var row = [3.0, 3.2, 3.1, 3.4]
        TheveninIdentification.makeStrictlyIncreasing(&row, minimumStepV: 0)
        #expect(zip(row, [3.0, 3.15, 3.15, 3.4]).allSatisfy { abs($0 - $1) < 1e-12 })
        var strict = [3.0, 3.0, 3.0]
        TheveninIdentification.makeStrictlyIncreasing(&strict, minimumStepV: 1e-4)
        #expect(strict[1] > strict[0] && strict[2] > strict[1])
    }
}
