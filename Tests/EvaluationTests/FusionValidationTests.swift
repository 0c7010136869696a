import BMSCore
import CellData
import CellModel
import Estimators
import Evaluation
import Foundation
import Testing
import TestSupport
import WeightBlob

/// `ekf+lstm` against its parts on the NASA validation cells (where its noise was learned and
/// checked), discharge-only protocol on a 1 s grid, and `LSTMFusionNoiseLearning`'s statistics
/// against a hand computation.
@Suite("ekf+lstm: validation cells and the noise learning")
struct FusionValidationTests {
    @Test("noise learning: σ per band (RMS, bias included), fallback to the overall RMS, τ from the autocorrelation, by hand")
    func summariseByHand() throws {
        let sequences: [[(z: Double, r: Double)]] = [[(0.1, 0.02), (0.1, 0.02), (0.5, -0.01)], [(0.9, 0.03)]]
        let result = try #require(LSTMFusionNoiseLearning.summarise(sequences, bands: 2, minimumBandCount: 1,
                                                                    maximumLagSteps: 10, stepSeconds: 10))
        #expect(result.bandCounts == [2, 2] && result.discharges == 2)
        #expect(abs(result.noise.socBandSigma[0] - 0.02) < 1e-15)
        #expect(abs(result.noise.socBandSigma[1] - ((1e-4 + 9e-4) / 2).squareRoot()) < 1e-15)
        #expect(abs(result.bandMeans[1] - 0.01) < 1e-15)
        #expect(abs(result.overallSigma - (1.8e-3 / 4).squareRoot()) < 1e-15)
        // ρ₁ = ((0.02·0.02 + 0.02·(−0.01)) / 2) / (1.8e-3 / 4) = 2/9; ρ₂ < 0 ends the sum.
        #expect(abs(result.noise.decorrelationSeconds - 10 * (1 + 2 * 2.0 / 9)) < 1e-9)
        let sparse = try #require(LSTMFusionNoiseLearning.summarise(sequences, bands: 2, minimumBandCount: 3,
                                                                    maximumLagSteps: 10, stepSeconds: 10))
        #expect(sparse.noise.socBandSigma == [sparse.overallSigma, sparse.overallSigma])
        #expect(LSTMFusionNoiseLearning.summarise([], bands: 2, minimumBandCount: 1, maximumLagSteps: 10, stepSeconds: 10) == nil)
        #expect(LSTMFusionNoiseLearning.summarise([[]], bands: 2, minimumBandCount: 1, maximumLagSteps: 10, stepSeconds: 10) == nil)
    }

    @Test("noise learning starts the LSTM at the reference start: a drive log from 60 % is not read from full",
          .enabled(if: SharedData.available, "needs the bundled models"))
    func learningStartsAtTheReferenceStart() throws {
        let model = try CellModelFile.load(from: SharedData.fixtures.appendingPathComponent("models/cell-default.json"))
        let blobURL = SharedData.fixtures.appendingPathComponent("models/lstm-anystart.bmsq")
        let blob = try BlobReader.decode([UInt8](try Data(contentsOf: blobURL)), source: blobURL.path).model
        let folder = try DatasetFolder()
        defer { folder.remove() }
        // A 2 Ah cell from 60 %: a 2-minute rest, then 2 A for 25 minutes, the SOC an exact count.
        var lines = ["# bmsim recording v1", "# cell: sixty", "# current_sign: charge_positive",
                     "time_s,voltage_v,current_a,temperature_c,soc,operation,capacity_ah"]
        for t in stride(from: 0, to: 120, by: 10) { lines.append("\(t),3.85,0,25,0.6,rest,2.0") }
        for t in stride(from: 120, through: 1620, by: 10) {
            let s = 0.6 - Double(t - 120) * 2 / 3600 / 2
            lines.append("\(t),\(3.45 + 0.5 * s),-2,25,\(s),discharge,2.0")
        }
        try folder.write("sixty.csv", lines.joined(separator: "\n") + "\n")
        let (discharges, _, _) = try EvaluationDischarge.load(try Dataset.open(paths: [folder.path]), selecting: ["sixty"])
        let result = try #require(LSTMFusionNoiseLearning(model: model, lstmModel: blob).learn(discharges))
        let residuals = zip(result.bandCounts, result.bandMeans).filter { $0.0 > 0 }
        let mean = residuals.reduce(0) { $0 + Double($1.0) * $1.1 } / Double(residuals.reduce(0) { $0 + $1.0 })
        // Started from full, the prior-SOC network read the cell 40 points high (mean ≈ +0.4).
        #expect(abs(mean) < 0.15, "mean residual \(mean)")
    }

    /// The claim the settings were chosen for, on the validation cells (432 discharges): the
    /// fused RMSE over every discharge is not above the better part's. Per cell the fused
    /// estimator is always better than the LSTM but not always better than the EKF: on B0028
    /// it is 0.29 points worse (0.93 against 0.64, Docs/Results.md), so the per-cell bound
    /// against the EKF is that measured gap plus 0.06 (a changed blob or filter that moves
    /// the fusion more than that should be looked at, not waved through).
    @Test("validation cells, discharge-only: fused mean ≤ min(ekf, lstm); per cell < lstm and ≤ ekf + 0.35",
          .enabled(if: SharedData.available, "needs the shared NASA data (BMSIM_DATA)"))
    func validationCells() throws {
        let nasa = try #require(SharedData.nasa)
        let model = try CellModelFile.load(from: SharedData.fixtures.appendingPathComponent("models/cell-default.json"))
        let blobURL = SharedData.fixtures.appendingPathComponent("models/lstm-soh.bmsq")
        let blob = try BlobReader.decode([UInt8](try Data(contentsOf: blobURL)), source: blobURL.path).model
        let cells = ["B0007", "B0028", "B0031", "B0034"]
        let discharges = try EvaluationDischarge.load(root: nasa, cells: cells)
        var options = DischargeEvaluation.Options()
        options.gridSeconds = 1
        let report = try DischargeEvaluation(model: model, methods: [.ekf1RC, .lstm, .ekfLSTM], options: options, lstmModel: blob)
            .run(discharges, cells: cells)
        let ekf = try #require(report.method("ekf-1rc")), lstm = try #require(report.method("lstm"))
        let fused = try #require(report.method("ekf+lstm"))
        #expect(fused.all.rmse <= min(ekf.all.rmse, lstm.all.rmse))
        for (index, cell) in cells.enumerated() {
            let f = fused.perCell[index].statistics.rmse
            #expect(f < lstm.perCell[index].statistics.rmse, "\(cell)")
            #expect(f <= ekf.perCell[index].statistics.rmse + 0.35, "\(cell)")
        }
    }
}
