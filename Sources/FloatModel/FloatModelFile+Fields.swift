/// Range checks of a model file's scalar fields, run by `FloatModelFile.decode` before any
/// number is used (reliability issue rows 3, 5 and 16: a zero step trapped the resampler, a
/// short `xMean` indexed out of range, a zero `xStd` or prior capacity printed "MAE inf %").
extension FloatModelFile {
    /// Step between model updates: from 1 s (a grid of a 1,000-hour life stays under 4
    /// million steps) to 600 s.
    public static let stepSecondsRange: ClosedRange<Double> = 1...600
    /// Gate order the engine implements.
    public static let supportedGateOrder = "i,f,g,o"

    /// Throws `FloatModelFileError.invalidField` naming the first field out of range.
    func checkFields(path: String) throws(FloatModelFileError) {
        func fail(_ field: String, _ reason: String) -> FloatModelFileError {
            .invalidField(path: path, field: field, reason: reason)
        }
        guard stepSeconds.isFinite, Self.stepSecondsRange.contains(stepSeconds) else {
            throw fail("stepSeconds", "\(stepSeconds) s is outside \(Self.stepSecondsRange.lowerBound)…\(Self.stepSecondsRange.upperBound) s")
        }
        guard gateOrder.replacingOccurrences(of: " ", with: "") == Self.supportedGateOrder else {
            throw fail("gateOrder", "'\(gateOrder)' is not supported (only \(Self.supportedGateOrder))")
        }
        guard architecture.outputCount == training.config.loss.outputCount else {
            throw fail("training.config.loss", "loss \(training.config.loss.rawValue) needs \(training.config.loss.outputCount) output(s), the architecture's last layer has \(architecture.outputCount)")
        }
        let width = architecture.inputSize
        let set = scalers.resolvedFeatureSet
        guard features == set.names else {
            let known = FeatureSet.allCases.map { "\($0.rawValue): \($0.names.joined(separator: ","))" }.joined(separator: "; ")
            throw fail("features", "\(features) does not match the scalers' feature set \(set.rawValue) (known sets — \(known))")
        }
        guard set.width == width else {
            throw fail("features", "\(set.width) features for an input size of \(width)")
        }
        guard scalers.xMean.count == width else { throw fail("scalers.xMean", "\(scalers.xMean.count) values for \(width) inputs") }
        guard scalers.xStd.count == width else { throw fail("scalers.xStd", "\(scalers.xStd.count) values for \(width) inputs") }
        if let k = scalers.xMean.firstIndex(where: { !$0.isFinite }) {
            throw fail("scalers.xMean[\(k)]", "\(scalers.xMean[k]) is not finite")
        }
        if let k = scalers.xStd.firstIndex(where: { !($0.isFinite && $0 > 0) }) {
            throw fail("scalers.xStd[\(k)]", "\(scalers.xStd[k]) must be finite and > 0")
        }
        guard scalers.yMin.isFinite, scalers.yMax.isFinite, scalers.yMax > scalers.yMin else {
            throw fail("scalers.yMax", "yMin \(scalers.yMin), yMax \(scalers.yMax): need finite values with yMax > yMin")
        }
        if let prior = scalers.priorCapacityAh, !(prior.isFinite && prior > 0 && prior <= 10_000) {
            throw fail("scalers.priorCapacityAh", "\(prior) Ah must be in (0, 10000]")
        }
        if let rule = scalers.learnedPrior {
            if let problem = rule.problem { throw fail("scalers.learnedPrior", problem) }
            guard scalers.priorCapacityAh != nil, set.hasCharge else {
                throw fail("scalers.learnedPrior", "needs priorCapacityAh (the default capacity) and a charge-counter feature set")
            }
        }
        if let lambda = training.correctionScale, !(lambda.isFinite && (0...1).contains(lambda)) {
            throw fail("training.correctionScale", "\(lambda) must be a finite number in 0…1")
        }
        if set.readsPrior && scalers.learnedPrior == nil {
            throw fail("features", "\(set.rawValue) reads the prior capacity and needs scalers.learnedPrior")
        }
    }
}
