import CellData
import Foundation
import QuantizedLSTM
import WeightBlob

/// Float vs integer comparison of a quantized model on labelled sequences: each sequence
/// (one discharge) runs in streaming mode from a reset, one prediction per step.
public struct QuantizationEvaluation: Sendable, Equatable {
    /// Steps compared.
    public var steps: Int
    /// RMSE of the float model against the labels, SOC points (nil without labels).
    public var floatRMSEPercent: Double?
    /// RMSE of the integer engine against the labels, SOC points.
    public var integerRMSEPercent: Double?
    /// Mean |float − integer|, SOC points.
    public var meanAbsDeltaPercent: Double
    /// Max |float − integer|, SOC points.
    public var maxAbsDeltaPercent: Double
    /// The uncertainty head's agreement (a model with one; nil otherwise).
    public var sigma: SigmaAgreement?

    /// int8 vs float of the uncertainty head's second output, over the same steps.
    public struct SigmaAgreement: Sendable, Equatable, Encodable {
        /// Mean and max |log σ²(int8) − log σ²(float)| (both clamped to [−16, 4]).
        public var meanAbsLogVarianceDelta: Double, maxAbsLogVarianceDelta: Double
        /// Mean and max |σ(int8) − σ(float)| of the SOC, points (σ = e^{s/2} · label span).
        public var meanAbsSigmaDeltaPercent: Double, maxAbsSigmaDeltaPercent: Double
        /// Mean σ of the float model, SOC points.
        public var meanFloatSigmaPercent: Double
    }

    /// Runs both models over `sequences` (labels: SOC fraction per step, or nil). With
    /// `priorCapacitiesMAh` each sequence's prior counts against its capacity in both (the
    /// engine's `setPriorCapacity`, the float runner at the same whole mAh); a capacity the
    /// engine refuses is a precondition failure (callers pass learned capacities of a prior model).
    /// With `startSOCs` a blob that reads the prior SOC starts each sequence's prior there (the
    /// engine's `setStartSOC` at whole 0.01 %, the float runner at the same value; `StartSOCs`);
    /// nil, a nil entry or a blob without that input starts from full.
    public static func run(float model: ReferenceLSTMModel, blob: BlobModel, sequences: [[RawSensorSample]],
                           labels: [[Double]]? = nil, priorCapacitiesMAh: [Int32]? = nil,
                           startSOCs: [Double?]? = nil) -> QuantizationEvaluation {
        let reference = ReferenceLSTMRunner(model: model)
        let engine = QuantizedLSTMEngine(model: blob)
        var steps = 0, sumAbs = 0.0, maxAbs = 0.0, floatSq = 0.0, intSq = 0.0
        var sumLog = 0.0, maxLog = 0.0, sumSigma = 0.0, maxSigma = 0.0, sumFloatSigma = 0.0
        let span = blob.uncertaintyHead.map { Double($0.labelSpanPPM) / 1e4 } ?? 0   // SOC points per label unit
        precondition(priorCapacitiesMAh.map { $0.count == sequences.count } ?? true, "one prior capacity per sequence")
        precondition(startSOCs.map { $0.count == sequences.count } ?? true, "one start SOC per sequence")
        for (n, sequence) in sequences.enumerated() {
            reference.reset()
            engine.reset()
            if let capacity = priorCapacitiesMAh?[n] {
                do { try engine.setPriorCapacity(milliampHours: capacity) } catch { preconditionFailure("\(error)") }
                reference.priorCapacityAh = Double(capacity) / 1000
            }
            if let centiPercent = StartSOCs.centiPercent(startSOCs?[n], blob: blob) {
                do { try engine.setStartSOC(centiPercent: centiPercent) } catch { preconditionFailure("\(error)") }
                reference.startSOC = Double(centiPercent) / 10_000
            }
            for (k, sample) in sequence.enumerated() {
                let float = reference.step(sample) * 100
                let integer = Double(engine.step(sample)) / 100
                let delta = abs(float - integer)
                sumAbs += delta
                maxAbs = max(maxAbs, delta)
                if blob.uncertaintyHead != nil, let floatLog = reference.logVariance {
                    let integerLog = Double(engine.logVarianceQ11) / Double(1 << BlobUncertaintyHead.logVarianceFractionBits)
                    let floatSigma = exp(floatLog / 2) * span, integerSigma = exp(integerLog / 2) * span
                    sumLog += abs(integerLog - floatLog); maxLog = max(maxLog, abs(integerLog - floatLog))
                    sumSigma += abs(integerSigma - floatSigma); maxSigma = max(maxSigma, abs(integerSigma - floatSigma))
                    sumFloatSigma += floatSigma
                }
                if let label = labels?[n][k] {
                    floatSq += (float - label * 100) * (float - label * 100)
                    intSq += (integer - label * 100) * (integer - label * 100)
                }
                steps += 1
            }
        }
        let count = Double(max(steps, 1))
        return QuantizationEvaluation(
            steps: steps, floatRMSEPercent: labels == nil ? nil : (floatSq / count).squareRoot(),
            integerRMSEPercent: labels == nil ? nil : (intSq / count).squareRoot(),
            meanAbsDeltaPercent: sumAbs / count, maxAbsDeltaPercent: maxAbs,
            sigma: blob.uncertaintyHead == nil ? nil : SigmaAgreement(
                meanAbsLogVarianceDelta: sumLog / count, maxAbsLogVarianceDelta: maxLog,
                meanAbsSigmaDeltaPercent: sumSigma / count, maxAbsSigmaDeltaPercent: maxSigma,
                meanFloatSigmaPercent: sumFloatSigma / count))
    }
}

extension ResampledSeries {
    /// The series as the integer engine's raw sensor samples (µV, mA, 0.1 °C, rounded).
    public var rawSensorSamples: [RawSensorSample] {
        (0..<count).map { n in
            RawSensorSample(voltageUV: Int32(clamping: Int((voltageV[n] * 1e6).rounded())),
                            currentMA: Int32(clamping: Int((currentA[n] * 1e3).rounded())),
                            temperatureDeciC: Int32(clamping: Int((temperatureC[n] * 10).rounded())))
        }
    }
}
