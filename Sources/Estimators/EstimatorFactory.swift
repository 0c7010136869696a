import BMSCore
import CellModel
import WeightBlob

/// The SOC methods by their stable names (used on the command line and in tables): the
/// classical methods on a cell model, and the fixed-point LSTM, which needs a loaded blob.
public enum EstimatorKind: String, Sendable, CaseIterable, Codable {
    /// Coulomb counting with OCV correction at rest and capacity learning.
    case ah = "ah"
    /// Pure coulomb counting (no OCV correction).
    case ahPure = "ah-pure"
    /// OCV lookup after removing R0·I (naive).
    case ocv = "ocv"
    /// EKF on the 1RC Thevenin model.
    case ekf1RC = "ekf-1rc"
    /// EKF on the 2RC Thevenin model.
    case ekf2RC = "ekf-2rc"
    /// UKF on the 1RC Thevenin model.
    case ukf1RC = "ukf-1rc"
    /// UKF on the 2RC Thevenin model.
    case ukf2RC = "ukf-2rc"
    /// The fixed-point LSTM (`LSTMEstimator`); needs a `.bmsq` model.
    case lstm = "lstm"
    /// The 1RC EKF with the LSTM's confirmed outputs as a second SOC measurement
    /// (`FusedEKFLSTMEstimator`); needs a `.bmsq` model.
    case ekfLSTM = "ekf+lstm"

    /// The methods that need only a cell model (every kind but `lstm` and `ekf+lstm`).
    public static let classical: [EstimatorKind] = allCases.filter { !$0.needsBlobModel }

    /// True for the kinds that need a loaded `.bmsq` model.
    public var needsBlobModel: Bool { self == .lstm || self == .ekfLSTM }
}

/// Why `makeEstimator` could not make an estimator.
public enum EstimatorFactoryError: Error, Equatable, Sendable, CustomStringConvertible {
    /// `kind` runs a `.bmsq` model and none was loaded.
    case blobModelMissing(kind: EstimatorKind)
    /// The blob's training-envelope metadata does not parse.
    case envelope(TrainingEnvelopeError)

    /// One line for the user.
    public var description: String {
        switch self {
        case .blobModelMissing(let kind):
            return "estimator \(kind.rawValue) needs a fixed-point model (.bmsq, e.g. --lstm-model); none was loaded"
        case .envelope(let error):
            return "the fixed-point model's \(error.description)"
        }
    }
}

/// Makes an estimator of the given kind for a cell model, starting at `soc` (fraction).
/// `lstmModel` is the validated `.bmsq` model of `.lstm` and `.ekfLSTM` (ignored by the other
/// kinds); those two without one throw `EstimatorFactoryError.blobModelMissing`. The LSTM's coulomb
/// count between discharges uses `config.capacityAh` (else the cell model's) and the
/// cell model's coulombic efficiency; a blob trained with a learned prior gets its own
/// `CapacityLearner` on the cell model (unless `config.useLearnedCapacity` is off).
///
/// ```swift
/// let model = try CellModelFile.load(from: url)
/// let ekf = try makeEstimator(.ekf2RC, model: model, config: EstimatorConfig())
/// let estimate = ekf.update(CellMeasurement(voltageV: 3.9, currentA: -2, temperatureC: 25, dtSeconds: 1))
/// ```
public func makeEstimator(_ kind: EstimatorKind, model: CellModelParameters, lstmModel: BlobModel? = nil,
                          lstmSettings: LSTMEstimatorSettings = LSTMEstimatorSettings(),
                          config: EstimatorConfig = EstimatorConfig(),
                          soc: Double = 1) throws(EstimatorFactoryError) -> any SOCEstimator {
    switch kind {
    case .ah:
        var c = config
        c.ocvCorrectionAtRest = true
        return AhCounterEstimator(model: model, config: c, soc: soc)
    case .ahPure:
        var c = config
        c.ocvCorrectionAtRest = false
        return AhCounterEstimator(model: model, config: c, soc: soc)
    case .ocv: return OCVLookupEstimator(model: model, config: config, soc: soc)
    case .ekf1RC: return TheveninEKF(model: model, pairs: 1, config: config, soc: soc)
    case .ekf2RC: return TheveninEKF(model: model, pairs: 2, config: config, soc: soc)
    case .ukf1RC: return TheveninUKF(model: model, pairs: 1, config: config, soc: soc)
    case .ukf2RC: return TheveninUKF(model: model, pairs: 2, config: config, soc: soc)
    case .lstm:
        guard let lstmModel else { throw .blobModelMissing(kind: kind) }
        var ah = config
        ah.ocvCorrectionAtRest = true
        let between = config.lstmOCVCorrectionBetweenRuns ? AhCounterEstimator(model: model, config: ah, soc: soc) : nil
        return try makeLSTM(lstmModel, model: model, settings: lstmSettings, config: config, soc: soc, betweenRuns: between)
    case .ekfLSTM:
        guard let lstmModel else { throw .blobModelMissing(kind: kind) }
        return FusedEKFLSTMEstimator(filter: TheveninEKF(model: model, pairs: 1, config: config, soc: soc),
                                     lstm: try makeLSTM(lstmModel, model: model, settings: lstmSettings, config: config, soc: soc),
                                     noise: config.fusionNoise)
    }
}

/// The `lstm` estimator of `makeEstimator` (also the LSTM inside `ekf+lstm`).
func makeLSTM(_ lstmModel: BlobModel, model: CellModelParameters, settings: LSTMEstimatorSettings,
              config: EstimatorConfig, soc: Double,
              betweenRuns: AhCounterEstimator? = nil) throws(EstimatorFactoryError) -> LSTMEstimator {
    let envelope: TrainingEnvelope?
    do { envelope = try TrainingEnvelope(metadata: lstmModel.metadataValue) } catch { throw .envelope(error) }
    return LSTMEstimator(model: lstmModel, envelope: envelope, settings: settings, config: config,
                  capacityAh: config.capacityAh ?? model.capacityAh,
                  chargeEfficiency: config.coulombicEfficiency ?? model.coulombicEfficiency, soc: soc,
                  capacityLearner: config.useLearnedCapacity ? CapacityLearner(model: model, config: config) : nil,
                  betweenRuns: betweenRuns)
}
