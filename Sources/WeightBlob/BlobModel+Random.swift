import BMSCore
import FixedPoint

extension BlobModel {
    /// A random valid model for property tests and fuzz seeds (package-level test hook).
    ///
    /// Widths are small (`maxWidth`), weights span the full int8 range, and most
    /// rescaling factors are drawn near the scales a real model uses so activations
    /// move; one in five is drawn from the whole valid range to exercise saturation.
    /// With `chargeCounter`, the last input becomes `chargeDrawn` with a random step and
    /// (three times in four) a coulomb-count prior; those draws come last, so the models
    /// without it are the same as before for the same seed. With `priorCapacityInput` (which
    /// implies the counter and a prior) the first input reads the prior capacity (format version 4);
    /// with `priorSOCInput` (the same) the first input reads the prior SOC (format version 5).
    package static func random(using rng: inout SeededGenerator, maxWidth: Int = 20,
                               chargeCounter: Bool = false, priorCapacityInput: Bool = false,
                               priorSOCInput: Bool = false) -> BlobModel {
        func int(_ range: ClosedRange<Int>) -> Int { range.lowerBound + Int(rng.next() % UInt64(range.count)) }
        func requant(typicalShift: ClosedRange<Int>) -> BlobRequantization {
            let multiplier = Int32(1 << 30) + Int32(truncatingIfNeeded: rng.next() % (1 << 30))
            let wild = rng.next() % 5 == 0
            return BlobRequantization(multiplier: multiplier, shift: Int32(wild ? int(1...62) : int(typicalShift)))
        }
        let featureCount = int(1...5)
        let inputs = (0..<featureCount).map { _ -> BlobInputScaling in
            let feature = InputFeature(rawValue: UInt8(int(0...4)))!
            let offset: Int32
            switch feature {
            case .voltage: offset = Int32(int(3_000_000...4_200_000))
            case .current: offset = Int32(int(-3000...1000))
            case .temperature: offset = Int32(int(200...400))
            case .dCurrent, .dVoltage: offset = Int32(int(-50...50))
            case .chargeDrawn: offset = Int32(int(0...15_000_000))
            case .priorCapacity: offset = Int32(int(1000...2000))
            case .priorSOC: offset = Int32(int(3000...7000))
            }
            return BlobInputScaling(feature: feature, offsetRaw: offset, scale: requant(typicalShift: 28...42))
        }
        func weights(_ count: Int) -> [Int8] { (0..<count).map { _ in Int8(truncatingIfNeeded: rng.next()) } }
        func biases(_ count: Int) -> [Int32] { (0..<count).map { _ in Int32(int(-(1 << 20)...(1 << 20))) } }
        func requants(_ count: Int, _ shifts: ClosedRange<Int>) -> ([Int32], [Int32]) {
            let pairs = (0..<count).map { _ in requant(typicalShift: shifts) }
            return (pairs.map(\.multiplier), pairs.map(\.shift))
        }
        var width = featureCount
        var lstm: [BlobLSTMLayer] = []
        for _ in 0..<int(1...2) {
            let hidden = int(1...maxWidth)
            let rows = 4 * hidden
            let (im, ish) = requants(rows, 38...46)
            let (rm, rsh) = requants(rows, 38...46)
            lstm.append(BlobLSTMLayer(inputSize: width, hiddenSize: hidden, inputKernel: weights(rows * width),
                                      recurrentKernel: weights(rows * hidden), bias: biases(rows),
                                      inputMultipliers: im, inputShifts: ish, recurrentMultipliers: rm,
                                      recurrentShifts: rsh, cellFractionBits: int(QFormat.cellFractionBitsRange)))
            width = hidden
        }
        var dense: [BlobDenseLayer] = []
        let denseCount = int(1...2)
        for n in 0..<denseCount {
            let out = n == denseCount - 1 ? 1 : int(1...maxWidth)
            let (m, s) = requants(out, 36...44)
            dense.append(BlobDenseLayer(inputSize: width, outputSize: out, activation: int(0...1) == 1 ? .relu : .none,
                                        weight: weights(out * width), bias: biases(out), multipliers: m, shifts: s))
            width = out
        }
        let output = BlobOutputScaling(scale: requant(typicalShift: 28...34), offsetCentiPercent: Int32(int(-2000...2000)))
        var model = BlobModel(inputs: inputs, output: output, lstmLayers: lstm, denseLayers: dense,
                              metadata: [BlobMetadataEntry(key: "source", value: "BlobModel.random")])
        if chargeCounter || priorCapacityInput || priorSOCInput {
            // Charge features span millions of raw units: scales near 4096 / 4e6 ≈ 2^-10.
            model.inputs[featureCount - 1] = BlobInputScaling(feature: .chargeDrawn, offsetRaw: Int32(int(0...15_000_000)),
                                                              scale: requant(typicalShift: 38...44))
            let prior = rng.next() % 4 == 0 ? nil : int(500...5000)
            model.chargeCounter = BlobChargeCounter(stepSeconds: int(1...60), priorCapacityMAh: prior)
        }
        if priorCapacityInput {
            // A capacity in mAh: scales near 4096 / 400 ≈ 2^3.4 (shift ≈ 27).
            model.chargeCounter?.priorCapacityMAh = int(500...5000)
            model.inputs.insert(BlobInputScaling(feature: .priorCapacity, offsetRaw: Int32(int(1000...2000)),
                                                 scale: requant(typicalShift: 24...30)), at: 0)
            model.lstmLayers[0] = model.lstmLayers[0].widenedInput(by: 1, using: &rng)
        }
        if priorSOCInput {
            // A SOC in 0.01 %: scales near 4096 / 3000 ≈ 2^0.4 (shift ≈ 30).
            model.chargeCounter?.priorCapacityMAh = int(500...5000)
            model.inputs.insert(BlobInputScaling(feature: .priorSOC, offsetRaw: Int32(int(3000...7000)),
                                                 scale: requant(typicalShift: 27...33)), at: 0)
            model.lstmLayers[0] = model.lstmLayers[0].widenedInput(by: 1, using: &rng)
        }
        return model
    }
}

extension BlobLSTMLayer {
    /// This layer with `extra` random input columns in front (row-major `[4H × (I + extra)]`).
    fileprivate func widenedInput(by extra: Int, using rng: inout SeededGenerator) -> BlobLSTMLayer {
        var layer = self
        var kernel: [Int8] = []
        for r in 0..<(4 * hiddenSize) {
            for _ in 0..<extra { kernel.append(Int8(truncatingIfNeeded: rng.next())) }
            kernel += inputKernel[(r * inputSize)..<((r + 1) * inputSize)]
        }
        layer.inputKernel = kernel
        layer.inputSize = inputSize + extra
        return layer
    }
}
