import CellData
import CellModel
import Estimators
import Foundation
import Testing
import TestSupport
@testable import Evaluation

/// The discharge-only protocol on a generic dataset (issue 15): the bundled example
/// (`Fixtures/datasets/physics-example`, the PyBaMM UDDS fixture and its noisy copy) is scored
/// whole against its exact `soc`, split by its manifest; the NASA folder loads as before.
@Suite("Classical evaluation of a generic dataset")
struct DatasetEvaluationTests {
    static let example = SharedData.fixtures.appendingPathComponent("datasets/physics-example").path

    @Test func theManifestSplitChoosesTheRecordingsAndEachIsScoredWhole() throws {
        let dataset = try Dataset.open(paths: [Self.example])
        let (test, cells, unlabelled) = try EvaluationDischarge.load(dataset, selecting: ["test"])
        #expect(cells == ["mohtat2020-nmc-25C"] && unlabelled.isEmpty)
        #expect(test.map(\.cycle) == [2])                       // the noisy copy, second file of the manifest
        let d = try #require(test.first)
        #expect(d.ambientC == 25 && d.restBeforeS == nil && !d.voltageGlitch)
        #expect(d.soc.first == 1 && d.samples.timeS.last! > 1700)   // rest, UDDS and rest: the whole recording
        let both = try EvaluationDischarge.load(dataset, selecting: ["train", "test"]).discharges
        #expect(both.map(\.cycle) == [1, 2])
    }

    @Test func coulombCountingFollowsTheExactSOCOfThePhysicsCell() throws {
        let dataset = try Dataset.open(paths: [Self.example])
        let (discharges, cells, _) = try EvaluationDischarge.load(dataset, selecting: ["train", "test"])
        let clean = try GenericRecordingCSV.read(path: SharedData.fixtures.appendingPathComponent(
            "physics/mohtat2020-nmc-25C-udds-short.csv").path)
        let (model, _) = try RecordingFit.fit([clean], capacityAh: nil, ocv: nil)
        let report = try DischargeEvaluation(model: model, methods: [.ah, .ekf1RC]).run(discharges, cells: cells)
        let ah = try #require(report.methods.first { $0.method == "ah" })
        let ekf = try #require(report.methods.first { $0.method == "ekf-1rc" })
        #expect(ah.dischargeCount == 2 && ah.all.count == discharges.reduce(0) { $0 + $1.samples.count })
        // Exact current (clean) and ±1 % gain + 10 mA offset (noisy) over a 30 min UDDS: well under a point.
        #expect(ah.all.rmse < 0.5, "\(ah.all.rmse)")
        #expect(ekf.all.rmse < 1, "\(ekf.all.rmse)")
        #expect(ah.withinAtTenMinutes == 2)
        // One 25 °C cell: the 4 °C column is empty ("–"), not "nan".
        #expect(!report.markdownTable().contains("nan") && report.markdownTable().contains("| – |"))
    }

    @Test(.enabled(if: SharedData.available))
    func theNASAFolderLoadsExactlyAsBefore() throws {
        let dataset = try Dataset.open(paths: [SharedData.nasa!.path])
        let (discharges, cells, _) = try EvaluationDischarge.load(dataset, selecting: ["test"])
        #expect(cells == NASADataset.Split.test.cells)
        #expect(discharges == (try EvaluationDischarge.load(root: SharedData.nasa!, cells: NASADataset.Split.test.cells)))
    }
}
