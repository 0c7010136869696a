import BMSCore
import Testing
@testable import CellModel

/// The vehicle model, the demand's resampling and scaling, and the drive segment's rules.
@Suite("Drive cycles as plant input")
struct DriveDemandTests {
    @Test("vehicle power: hand-worked cruise, acceleration and braking")
    func vehiclePower() {
        var car = VehicleModel()
        car.seriesCells = 1
        car.parallelCells = 1
        car.auxiliaryPowerW = 0
        // 20 m/s cruise: drag ½·1.2·0.62·400 = 148.8 N, rolling 1600·9.81·0.009 = 141.264 N;
        // 290.064 N × 20 m/s / 0.9 = 6,445.87 W.
        let cruise = car.cellPowerW(speedMps: [20, 20], timeS: [0, 1])[0]
        #expect(abs(cruise - 290.064 * 20 / 0.9) < 1e-9)
        // Accelerating 10 → 11 m/s in 1 s adds 1600·1.04·1 N at 10 m/s.
        let accelerating = car.cellPowerW(speedMps: [10, 11], timeS: [0, 1])[0]
        let force = 1600 * 1.04 + 0.5 * 1.2 * 0.62 * 100 + 1600 * 9.81 * 0.009
        #expect(abs(accelerating - force * 10 / 0.9) < 1e-9)
        // Braking 10 → 8 m/s: 60 % of the wheel power comes back, through the 0.9 efficiency.
        let braking = car.cellPowerW(speedMps: [10, 8], timeS: [0, 1])[0]
        let brakeForce = -1600 * 1.04 * 2 + 0.5 * 1.2 * 0.62 * 100 + 1600 * 9.81 * 0.009
        #expect(abs(braking - brakeForce * 10 * 0.6 * 0.9) < 1e-9 && braking < 0)
        // Standing: only the auxiliaries, shared by every cell of the pack.
        car.auxiliaryPowerW = 300
        car.seriesCells = 10
        car.parallelCells = 3
        #expect(car.cellPowerW(speedMps: [0, 0], timeS: [0, 1]) == [10, 10])
    }

    @Test("demand: linear resampling onto the step, peak scaling to a C-rate or a power")
    func demand() throws {
        let d = try #require(DriveDemand.make(timeS: [0, 2, 3], values: [0, 4, -2], isPower: false,
                                              capacityAh: 2, nominalVoltageV: 3.6))
        #expect(d.values == [0, 2, 4, -2] && !d.isPower && d.stepS == 1)
        let c = try #require(DriveDemand.make(timeS: [0, 1], values: [1, -1], isPower: false, peakC: 3,
                                              capacityAh: 2, nominalVoltageV: 3.6))
        #expect(c.values == [6, -6])
        let p = try #require(DriveDemand.make(timeS: [0, 1], values: [10, -5], isPower: true, peakC: 1,
                                              capacityAh: 2, nominalVoltageV: 3.6))
        #expect(abs(p.values[0] - 7.2) < 1e-12 && abs(p.values[1] + 3.6) < 1e-12)
        let w = try #require(DriveDemand.make(timeS: [0, 1], values: [10, 5], isPower: true, peakPowerW: 4,
                                              capacityAh: 2, nominalVoltageV: 3.6))
        #expect(w.values == [4, 2])
        // A trace that only charges cannot be scaled to a discharge peak.
        #expect(DriveDemand.make(timeS: [0, 1], values: [-1, -2], isPower: false, peakC: 1,
                                 capacityAh: 2, nominalVoltageV: 3.6) == nil)
        #expect(DriveDemand.make(timeS: [0], values: [1], isPower: false, capacityAh: 2, nominalVoltageV: 3.6) == nil)
    }

    @Test("regeneration: full request below the taper, none at full or at the charge limit")
    func regenerationRule() {
        let segment = DriveSegment(demand: DriveDemand(values: [1], isPower: false, stepS: 1))
        #expect(segment.allowedRegeneration(2, soc: 0.5, voltageV: 3.9) == 2)
        #expect(abs(segment.allowedRegeneration(2, soc: 0.95, voltageV: 4.1) - 1) < 1e-12)
        #expect(segment.allowedRegeneration(2, soc: 1, voltageV: 4.1) == 0)
        #expect(segment.allowedRegeneration(2, soc: 0.5, voltageV: 4.2) == 0)
    }

    @Test("a drive repeats with rests down to the stop SOC; regeneration holds the voltage at the charge limit")
    func driveSegment() throws {
        let model = CellModelParameters.synthetic18650()
        // 60 s: 30 s at 4 A discharge, then 30 s of 3 A regeneration (+ = discharge in the demand).
        let demand = DriveDemand(values: Array(repeating: 4, count: 30) + Array(repeating: -3, count: 30), isPower: false, stepS: 1)
        var sim = CellSimulator(model: model, pairCount: 2, soc: 1)
        let rec = SyntheticCycleGenerator(dtSeconds: 1).run(
            [.drive(DriveSegment(demand: demand, restBetweenS: 20, stopBelowSOC: 0.8, chargeLimitV: 4.2))], simulator: &sim)
        #expect(rec.soc.last! <= 0.8 && rec.soc.dropLast().allSatisfy { $0 > 0.8 })
        // Every charging (regenerating) tick ends at the charge limit or below, within 1 mV (the
        // limit is solved for the tick's start; the OCV rises a little during the tick).
        let over = zip(rec.currentA, rec.voltageV).filter { $0.0 > 0 && $0.1 > 4.2 + 1e-3 }
        #expect(over.isEmpty, "\(over.prefix(5))")
        #expect(zip(rec.currentA, rec.voltageV).contains { $0.0 > 0 && $0.1 > 4.19 })   // the limit was reached
        #expect(rec.operation.contains("rest") && rec.operation.contains("discharge"))
        // Near full the regeneration was cut: the first repeat's charging current stayed below the request.
        #expect(rec.currentA.prefix(61).filter { $0 > 0 }.allSatisfy { $0 < 3 })
        // Later, far from full, the full 3 A comes back.
        #expect(rec.currentA.contains { abs($0 - 3) < 1e-12 })
        // Exact SOC: the count of the recorded current (trapezoid-free: the current is held per tick).
        var soc = 1.0
        for i in rec.currentA.dropFirst() { soc += i / 3600 / sim.capacityAh }
        #expect(abs(soc - rec.soc.last!) < 1e-9)
    }
}
