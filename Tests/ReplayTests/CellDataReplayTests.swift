import CellData
import Foundation
import TestSupport
import Testing
@testable import Replay

@Suite("Replay on CellData recordings", .serialized)
struct CellDataReplayTests {
    @Test("B0005's first operations in time order (charge, discharges, gaps): the counter tracks the reference",
          .enabled(if: SharedData.available, "needs the shared NASA data (BMSIM_DATA)"))
    func wholeLifeStart() throws {
        let nasa = try #require(SharedData.nasa)
        var recording = try RecordingSource.open(path: nasa.path).recordings(cell: "B0005")[0]
        recording.operations = Array(recording.operations.prefix(8))
        #expect(Set(recording.operations.map(\.kind)).count >= 2)
        let runner = ReplayRunner(factory: testFactory)
        // The test tells the counter the first discharge's NASA capacity (replay itself never
        // does: that is scoring information) to check that plant, loop and reference agree.
        var told = ReplayScenario.nominal
        told.assumedCapacityAh = try #require(recording.discharges.first?.capacityAh)
        let r = try runner.run(recording: recording, scenario: told, estimators: ["count", "volt"])
        // Same current as the reference integrates, capacity = the first discharge's; the
        // reference renormalises each discharge by its own capacity (1.856 → 1.846 Ah here),
        // so a small drift remains.
        #expect(r.metrics[0].scoredTicks > 10_000)
        #expect(r.metrics[0].rmsePercent < 2)
        #expect(r.metrics.allSatisfy { $0.nonFiniteTicks == 0 })
        // 1 and 2 threads, same digest, on real data.
        let jobs = [ReplayScenario.nominal, .sensorFaults].map { ReplayJob(recording: recording, scenario: $0) }
        let one = try ReplayBatch(runner: runner, estimators: ["count", "volt"], threads: 1).run(jobs).map { try $0.get().digest }
        let two = try ReplayBatch(runner: runner, estimators: ["count", "volt"], threads: 2).run(jobs).map { try $0.get().digest }
        #expect(one == two)
    }
}
