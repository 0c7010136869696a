import BMSCore
import Testing
@testable import Firmware

@Suite("Sensor front-end")
struct SensorFrontEndTests {
    @Test("12-bit ADC: hand-worked code, and every reading within half an LSB of the input")
    func adcQuantization() {
        let adc = ADCChannel(bits: 12, rangeMin: 0, rangeMax: 5)
        // 3.7 V → 3.7 / 5 · 4095 = 3030.3 → code 3030 → 3030 · 5 / 4095 = 3.6996337 V.
        #expect(abs(adc.quantize(3.7) - 3030.0 * 5 / 4095) < 1e-12)
        #expect(abs(adc.lsb - 5.0 / 4095) < 1e-15)
        // Sweep 0…5 V in 10 µV steps: error ≤ lsb/2, and readings are exact code values.
        var worst = 0.0
        for step in 0...500_000 {
            let v = Double(step) * 1e-5
            let q = adc.quantize(v)
            worst = max(worst, abs(q - v))
            let code = q / adc.lsb
            #expect(abs(code - code.rounded()) < 1e-6)
        }
        #expect(worst <= adc.lsb / 2 + 1e-12)
        #expect(worst > adc.lsb / 2 * 0.99)  // the bound is reached, so the sweep really tested rounding
        // Clamping at the range ends.
        #expect(adc.quantize(-1) == 0)
        #expect(adc.quantize(7) == 5)
        #expect(adc.quantize(.nan).isNaN)
        // An ideal channel passes values through.
        #expect(ADCChannel(rangeMin: 0, rangeMax: 5).quantize(3.14159) == 3.14159)
    }

    @Test("noise, bias, offset and gain: sample statistics match the configuration")
    func noiseStatistics() throws {
        let config = SensorConfig(
            voltage: ADCChannel(rangeMin: 0, rangeMax: 5, noiseSigma: 0.002, offset: 0.010, gainError: 0.001),
            current: ADCChannel(rangeMin: -10, rangeMax: 10, noiseSigma: 0.02),
            temperature: ADCChannel(rangeMin: -40, rangeMax: 125),
            currentBiasA: 0.05)
        var sensor = try SensorFrontEnd(config: config, seed: 7)
        let n = 200_000
        var sumV = 0.0, sumV2 = 0.0, sumI = 0.0, sumI2 = 0.0
        let plant = CellMeasurement(voltageV: 3.5, currentA: -2.0, temperatureC: 25, dtSeconds: 1)
        for _ in 0..<n {
            let m = sensor.read(plant)
            sumV += m.voltageV; sumV2 += m.voltageV * m.voltageV
            sumI += m.currentA; sumI2 += m.currentA * m.currentA
            #expect(m.temperatureC == 25)
        }
        let meanV = sumV / Double(n), sdV = (sumV2 / Double(n) - meanV * meanV).squareRoot()
        let meanI = sumI / Double(n), sdI = (sumI2 / Double(n) - meanI * meanI).squareRoot()
        // Expected mean: 3.5 · 1.001 + 0.010 = 3.5135 V; standard error 0.002/√n ≈ 4.5 µV → 5σ = 23 µV.
        #expect(abs(meanV - 3.5135) < 5 * 0.002 / Double(n).squareRoot())
        #expect(abs(sdV / 0.002 - 1) < 0.01)   // relative s.e. of σ̂ ≈ 1/√(2n) = 0.16 %
        #expect(abs(meanI - (-2.0 + 0.05)) < 5 * 0.02 / Double(n).squareRoot())
        #expect(abs(sdI / 0.02 - 1) < 0.01)
    }

    @Test("same seed, same readings; another seed, other readings")
    func determinism() throws {
        var a = try SensorFrontEnd(config: .realistic, seed: 3)
        var b = try SensorFrontEnd(config: .realistic, seed: 3)
        var c = try SensorFrontEnd(config: .realistic, seed: 4)
        var differs = false
        for tick in 0..<1000 {
            let p = syntheticPlant(tick: tick)
            let ra = a.read(p), rb = b.read(p), rc = c.read(p)
            #expect(ra == rb)
            if ra != rc { differs = true }
        }
        #expect(differs)
    }

    @Test("invalid channels are rejected with the field named")
    func badSensorConfig() {
        var c = SensorConfig.ideal
        c.voltage.bits = 30
        #expect(throws: FirmwareConfigError.outOfRange(field: "sensor.voltage.bits", value: 30, allowed: "0...24")) {
            try SensorFrontEnd(config: c, seed: 1)
        }
        c = .ideal
        c.current.rangeMax = -20
        #expect(throws: FirmwareConfigError.self) { try SensorFrontEnd(config: c, seed: 1) }
        c = .ideal
        c.temperature.noiseSigma = -1
        #expect(throws: FirmwareConfigError.self) { try SensorFrontEnd(config: c, seed: 1) }
        c = .ideal
        c.currentBiasA = .infinity
        #expect(throws: FirmwareConfigError.self) { try SensorFrontEnd(config: c, seed: 1) }
    }
}
