import BMSCore
import CellData
import CellModel

extension RecordingFit {
    /// The measured and model voltages of one recording's labelled samples (segments joined,
    /// a NaN row between two segments so that plots break there).
    public struct VoltageTrace: Sendable {
        /// Recording name.
        public var name: String
        /// Recording time, s.
        public var timeS: [Double] = []
        /// Measured terminal voltage, V.
        public var measuredV: [Double] = []
        /// 1RC model voltage, V.
        public var model1RCV: [Double] = []
        /// 2RC model voltage, V.
        public var model2RCV: [Double] = []
        /// Cell temperature, °C.
        public var temperatureC: [Double] = []

        /// RMS of model − measured over the finite samples, mV: (1RC, 2RC, samples).
        public var residualmV: (oneRC: Double, twoRC: Double, samples: Int) {
            residual { _ in true }
        }

        /// As `residualmV`, only over the samples whose temperature passes `keep`.
        func residual(_ keep: (Double) -> Bool) -> (oneRC: Double, twoRC: Double, samples: Int) {
            var s1 = 0.0, s2 = 0.0, n = 0
            for k in timeS.indices where measuredV[k].isFinite && keep(temperatureC[k]) {
                s1 += (model1RCV[k] - measuredV[k]) * (model1RCV[k] - measuredV[k])
                s2 += (model2RCV[k] - measuredV[k]) * (model2RCV[k] - measuredV[k])
                n += 1
            }
            let d = Double(max(n, 1))
            return (1000 * (s1 / d).squareRoot(), 1000 * (s2 / d).squareRoot(), n)
        }
    }

    /// Fits a cell model to generic recordings. `capacityAh`: a given capacity and where it was
    /// given (`capacitySource`, for the report). `ocv`: a given curve and how it was given (held
    /// fixed); `hysteresis`: whether to fit Plett's hysteresis from a slow test
    /// (`fitHysteresis`); `chargeTransfer`: whether to fit the current-dependent term
    /// (`fitChargeTransfer`, after the hysteresis, on the voltages without it); `filterPairs`:
    /// the R–C pairs of `ekf` and `ukf` on the model (`filterPairs(residual1RCmV:residual2RCmV:mode:over:)`
    /// on the residuals of `dynamicResidual`, written as `CellModelParameters.filterPairs` when two). Throws when no operation has a
    /// reference SOC, there is no capacity, the identification fails, or `hysteresis` is `.on`
    /// without a slow test.
    public static func fit(_ recordings: [Recording], capacityAh: Double?, capacitySource: String = "--capacity",
                           ocv: (curve: OCVCurve, source: String)?,
                           hysteresis mode: HysteresisMode = .auto,
                           chargeTransfer transferMode: ChargeTransferMode = .off,
                           filterPairs pairsMode: FilterPairsMode = .auto,
                           log: (String) -> Void = { _ in }) throws -> (model: CellModelParameters, summary: Summary) {
        let names = names(recordings)
        let capacity = try capacity(recordings, option: capacityAh, optionSource: capacitySource)
        let labelled = label(recordings, names: names, capacityOption: capacityAh, cellCapacityAh: capacity.ah)
        let segments = labelled.flatMap(\.segments)
        guard !segments.isEmpty else {
            throw RecordingFitError.noLabelledOperation(
                sources: recordings.map(\.source),
                excluded: labelled.reduce(into: [:]) { $0.merge($1.excluded, uniquingKeysWith: +) })
        }
        var options = options(labelled)
        var ocvSource: String
        var ocvFromSlowTest = false
        if let ocv {
            options.fixedOCV = ocv.curve
            ocvSource = ocv.source
        } else if let slow = slowTestOCV(labelled, capacityAh: capacity.ah, socPoints: options.ocvSOCPoints) {
            options.fixedOCV = slow.curve
            ocvSource = slow.source
            ocvFromSlowTest = true
        } else if let rows = rateExtrapolatedRows(segments, options: options) {
            options.fixedOCV = rows.curve
            ocvSource = rows.source
        } else {
            ocvSource = "OCV: rate extrapolation (intercept of V over the signed current per SOC node) of the loaded samples and settled "
                + "rests at \(options.ocvTemperatureRangeC.lowerBound)–\(options.ocvTemperatureRangeC.upperBound) °C, "
                + "one row, made increasing (PAV)"
        }
        let tests = slowTests(labelled, capacityAh: capacity.ah) { !$0.charge.isEmpty && !$0.discharge.isEmpty }
        let hysteresis = try fitHysteresis(labelled, slowTests: tests, first: try TheveninIdentification.fit(segments, options: options),
                                           options: options, capacityAh: capacity.ah, mode: mode,
                                           ocvFromSlowTest: ocvFromSlowTest,
                                           sources: recordings.map(\.source))
        if hysteresis.ocvCorrected {
            ocvSource += "; read again for hysteresis: at the ends, where one branch's h is still turning, the settled branch "
                + "shifted by the settled half gap"
        }
        let withoutHysteresis = hysteresis.hysteresis.map { law in
            segments.indices.map { j -> IdentificationSegment in
                var seg = segments[j]
                let extra = law.voltages(seg, capacityAh: capacity.ah, efficiency: 1, initialH: hysteresis.initialH?[j] ?? 0,
                                         signThresholdA: signThresholdA(capacityAh: capacity.ah))
                seg.voltageV = zip(seg.voltageV, extra).map { $0 - $1 }
                return seg
            }
        } ?? segments
        let transfer = try fitChargeTransfer(withoutHysteresis, first: hysteresis.result, options: options,
                                             capacityAh: capacity.ah, mode: transferMode)
        let result = transfer.result
        var report = result.report
        report.hysteresis = hysteresis.report
        report.chargeTransfer = transfer.report
        let left = labelled.reduce(0) { $0 + $1.excluded.values.reduce(0, +) }
        let total = labelled.reduce(0) { $0 + $1.operationCount }
        report.method = [
            "data: generic recordings \(names.joined(separator: " ")) (\(segments.count) labelled stretches, "
                + "\(segments.reduce(0) { $0 + $1.count }) samples); \(left) of \(total) operations without a reference SOC left out",
            "reference SOC: the soc column where present, else counted from full charges (ReferenceSOC.anchoredReferences)",
            ocvSource,
            "R0, R_j: linear least squares with the OCV held, bilinear tables over SOC \(options.resistanceSOCPoints.first!)–"
                + "\(options.resistanceSOCPoints.last!) × cell temperature \(options.resistanceTemperaturesC) °C, "
                + "second-difference smoothness, R ≥ 1 mΩ by active set, loaded samples < "
                + "\(String(format: "%.3f", options.minimumLoadedVoltageV)) V left out; τ by grid search; C_j = τ_j / R_j",
            capacity.source,
        ] + (hysteresis.report.map { ["hysteresis: " + $0.decision] } ?? [])
            + (transfer.report.map { ["charge-transfer term a · asinh(I / I_ref) per temperature: " + $0.decision] } ?? [])
        var model = CellModelParameters(
            cellName: "\(Set(recordings.map(\.cell)).sorted().joined(separator: ", ")) (fitted on \(names.count) recording(s))",
            capacityAh: capacity.ah, ocv: result.ocv, thevenin1RC: result.thevenin1RC, thevenin2RC: result.thevenin2RC,
            hysteresis: hysteresis.hysteresis, chargeTransfer: transfer.term, fitReport: report)
        let traces = traces(labelled, model: model, initialH: hysteresis.initialH)
        model.fitReport.residualByTemperature = temperatureResiduals(traces, grid: options.resistanceTemperaturesC)
        let dynamic = dynamicResidual(traces, labelled: labelled, capacityAh: capacity.ah)
        let pairs = filterPairs(residual1RCmV: dynamic.oneRC, residual2RCmV: dynamic.twoRC, mode: pairsMode,
                                over: dynamic.description)
        model.filterPairs = pairs.pairs == 2 ? 2 : nil
        model.fitReport.method.append(filterPairsReportPrefix + pairs.decision)
        log("\(left) of \(total) operations have no reference SOC and are left out"
            + (left == 0 ? "" : ": " + labelled.filter { !$0.excluded.isEmpty }
                .map { "\($0.name) \($0.excluded.map { "\($1) \($0)" }.sorted().joined(separator: ", "))" }.joined(separator: "; ")))
        return (model, Summary(recordings: labelled, capacity: capacity, ocvSource: ocvSource, options: options,
                               initialH: hysteresis.initialH))
    }

    /// Voltage traces of `model` on each labelled recording (reference SOC at every sample).
    /// With hysteresis, M h + M0 s is added, h starting each segment at `initialH` (one per
    /// segment, in the order of `labelled.flatMap(\.segments)`: the fit's own) or at 0; with the
    /// charge-transfer term, a · asinh(I / I_ref).
    public static func traces(_ labelled: [LabelledRecording], model: CellModelParameters,
                              initialH: [Double]? = nil) -> [VoltageTrace] {
        var index = 0
        return labelled.map { r in
            var t = VoltageTrace(name: r.name)
            for seg in r.segments {
                defer { index += 1 }
                var extra = model.hysteresis?.voltages(seg, capacityAh: model.capacityAh, efficiency: model.coulombicEfficiency,
                                                       initialH: initialH?[index] ?? 0,
                                                       signThresholdA: signThresholdA(capacityAh: model.capacityAh))
                if let eta = model.chargeTransfer?.voltages(seg) { extra = extra.map { zip($0, eta).map { $0 + $1 } } ?? eta }
                if !t.timeS.isEmpty {
                    t.timeS.append(.nan); t.measuredV.append(.nan); t.model1RCV.append(.nan)
                    t.model2RCV.append(.nan); t.temperatureC.append(.nan)
                }
                t.timeS += seg.timeS
                t.measuredV += seg.voltageV
                t.temperatureC += seg.temperatureC
                let v1 = TheveninIdentification.modelVoltages(seg, ocv: model.ocv, model: model.thevenin1RC)
                let v2 = TheveninIdentification.modelVoltages(seg, ocv: model.ocv, model: model.thevenin2RC)
                t.model1RCV += extra.map { zip(v1, $0).map { $0 + $1 } } ?? v1
                t.model2RCV += extra.map { zip(v2, $0).map { $0 + $1 } } ?? v2
            }
            return t
        }
    }

    /// Residual per temperature of `grid`, each sample counted at the nearest grid temperature.
    public static func temperatureResiduals(_ traces: [VoltageTrace], grid: [Double]) -> [FitReport.TemperatureResidual] {
        grid.indices.compactMap { g in
            func nearest(_ t: Double) -> Bool {
                t.isFinite && grid.indices.min { abs(grid[$0] - t) < abs(grid[$1] - t) } == g
            }
            var s1 = 0.0, s2 = 0.0, n = 0
            for trace in traces {
                let r = trace.residual(nearest)
                s1 += r.oneRC * r.oneRC * Double(r.samples)
                s2 += r.twoRC * r.twoRC * Double(r.samples)
                n += r.samples
            }
            guard n > 0 else { return nil }
            return FitReport.TemperatureResidual(temperatureC: grid[g], samples: n,
                                                 residual1RCmV: (s1 / Double(n)).squareRoot(),
                                                 residual2RCmV: (s2 / Double(n)).squareRoot())
        }
    }

    /// Labels recordings that were not fitted (capacity as for the fit: `capacityOption`,
    /// else their own `capacity_ah`, else the model's) and runs the model on them.
    public static func validate(_ recordings: [Recording], model: CellModelParameters,
                                capacityOption: Double?) -> [VoltageTrace] {
        let labelled = label(recordings, names: names(recordings), capacityOption: capacityOption,
                             cellCapacityAh: model.capacityAh)
        return traces(labelled, model: model)
    }
}
