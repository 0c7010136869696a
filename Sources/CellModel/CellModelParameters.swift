/// Everything an estimator needs to know about a cell type: its OCV curve, its Thevenin
/// models (1 RC and 2 RC), its capacity and how well the models fit the data.
/// Loaded from `cell.json` by `CellModelFile`; made by `TheveninIdentification`.
public struct CellModelParameters: Sendable, Equatable {
    /// Cell (type) name, free text.
    public var cellName: String
    /// Capacity used when nothing better is known, Ah (e.g. the training median).
    public var capacityAh: Double
    /// Default usable capacity over temperature, Ah, for a cell with no learned history
    /// (`nil`: use `capacityAh` everywhere). Temperature in °C, strictly increasing.
    public var capacityByTemperature: (temperaturesC: [Double], capacityAh: [Double])?
    /// Design capacity over temperature, Ah: what a *new* cell of this type delivers (fuel
    /// gauges call it the design capacity). The estimators count against it until they have
    /// learned the cell's own capacity (`designCapacityAh(temperatureC:)`); `nil`: they start
    /// from `capacityByTemperature` (or `capacityAh`). Temperature in °C, strictly increasing.
    public var designCapacityByTemperature: (temperaturesC: [Double], capacityAh: [Double])?
    /// Charge efficiency η (charge counted in = η · I · Δt); 1 when not known.
    public var coulombicEfficiency: Double
    /// Open-circuit voltage over SOC and temperature.
    public var ocv: OCVCurve
    /// Thevenin model with one R–C pair.
    public var thevenin1RC: TheveninParameters
    /// Thevenin model with two R–C pairs.
    public var thevenin2RC: TheveninParameters
    /// How the rested full-charge voltage depends on the rest before it (`nil`: not modelled;
    /// a wake-up reading is then taken as it is).
    public var restRelaxation: RestRelaxation?
    /// Rested readings are trusted from this SOC up (`nil`: everywhere). A rested voltage
    /// whose OCV⁻¹ lies below it says only that the SOC is at most this: the OCV table's lower
    /// part is a pseudo-OCV of loaded data, and a cell relaxing after a discharge reads far
    /// above it for hours (NASA: relaxed readings after discharges that ended at the 2.7 V
    /// label zero map to table SOCs of up to 0.52). `OCVCurve.restedSOC` applies it.
    public var restedOCVTrustedFromSOC: Double?
    /// The loaded voltage that is SOC 0 on this model's SOC scale, V, when the scale is defined
    /// that way (NASA's label: the first loaded sample below 2.7 V is empty, a rate-dependent
    /// usable-capacity scale); `nil` for a thermodynamic scale (a physics model's SOC, a
    /// recording's `soc` column). The estimators' end-of-discharge anchor (`EmptyAnchor`) needs it.
    public var socZeroLoadedVoltageV: Double?
    /// Plett's one-state hysteresis (M, M0, γ per temperature; `Hysteresis`), for flat-OCV
    /// cells; `nil`: none, and the estimators run exactly as on a model without it.
    public var hysteresis: Hysteresis?
    /// The current-dependent (Butler–Volmer) overpotential a · asinh(I / I_ref) per temperature
    /// (`ChargeTransfer`), for cells whose resistance falls with the current when cold; `nil`:
    /// none, and the estimators run exactly as on a model without it.
    public var chargeTransfer: ChargeTransfer?
    /// How the model was made and how well it fits (free-form, for reports).
    public var fitReport: FitReport
    /// The R–C pairs (1 or 2) the filters run when asked for by their short names (`ekf`,
    /// `ukf`): set by a generic `bmsim fit` when the 2RC model fits its recordings materially
    /// better (`RecordingFit.filterPairs`); `nil`: 1 (the NASA model, files before version 4).
    public var filterPairs: Int?

    /// Creates a parameter set.
    public init(cellName: String, capacityAh: Double,
                capacityByTemperature: (temperaturesC: [Double], capacityAh: [Double])? = nil,
                designCapacityByTemperature: (temperaturesC: [Double], capacityAh: [Double])? = nil,
                coulombicEfficiency: Double = 1, ocv: OCVCurve,
                thevenin1RC: TheveninParameters, thevenin2RC: TheveninParameters,
                restRelaxation: RestRelaxation? = nil, restedOCVTrustedFromSOC: Double? = nil,
                socZeroLoadedVoltageV: Double? = nil, hysteresis: Hysteresis? = nil,
                chargeTransfer: ChargeTransfer? = nil, fitReport: FitReport = FitReport()) {
        self.cellName = cellName
        self.capacityAh = capacityAh
        self.capacityByTemperature = capacityByTemperature
        self.designCapacityByTemperature = designCapacityByTemperature
        self.coulombicEfficiency = coulombicEfficiency
        self.ocv = ocv
        self.thevenin1RC = thevenin1RC
        self.thevenin2RC = thevenin2RC
        self.restRelaxation = restRelaxation
        self.restedOCVTrustedFromSOC = restedOCVTrustedFromSOC
        self.socZeroLoadedVoltageV = socZeroLoadedVoltageV
        self.hysteresis = hysteresis
        self.chargeTransfer = chargeTransfer
        self.fitReport = fitReport
    }

    /// A rested voltage read after `restSeconds` (≤ 0: unknown) as after the reference rest the
    /// OCV curve stands for (unchanged without a relaxation model).
    @inlinable
    public func restCorrectedVoltage(_ voltageV: Double, restSeconds: Double, temperatureC: Double) -> Double {
        guard let law = restRelaxation else { return voltageV }
        return voltageV + law.correctionV(restSeconds: restSeconds, temperatureC: temperatureC)
    }

    /// `restCorrectedVoltage` for a full cell only: the relaxation law was fitted on rests after
    /// a CC–CV charge, so it corrects readings at or above `fullRestVoltageV`; a reading below
    /// (a partly charged or discharged cell, whose voltage relaxes the other way after a
    /// discharge) is returned as read.
    @inlinable
    public func restCorrectedFullVoltage(_ voltageV: Double, restSeconds: Double, temperatureC: Double,
                                         fullRestVoltageV: Double) -> Double {
        voltageV >= fullRestVoltageV ? restCorrectedVoltage(voltageV, restSeconds: restSeconds, temperatureC: temperatureC)
            : voltageV
    }

    /// The SOC a rested reading supports nearest to `prior` (`OCVCurve.restedSOC` with this
    /// model's `restedOCVTrustedFromSOC`).
    @inlinable
    public func restedSOC(voltageV: Double, temperatureC: Double, nearest prior: Double,
                          minimumSlopeVPerSOC: Double) -> Double {
        ocv.restedSOC(voltageV: voltageV, temperatureC: temperatureC, nearest: prior,
                      minimumSlopeVPerSOC: minimumSlopeVPerSOC, trustedFromSOC: restedOCVTrustedFromSOC)
    }

    /// The Thevenin model with `pairCount` R–C pairs (1 or 2).
    public func thevenin(pairCount: Int) -> TheveninParameters {
        precondition(pairCount == 1 || pairCount == 2, "BMSim has 1RC and 2RC models")
        return pairCount == 1 ? thevenin1RC : thevenin2RC
    }

    /// Default capacity at a temperature (linear between points, held beyond), Ah.
    public func defaultCapacityAh(temperatureC: Double) -> Double {
        guard let table = capacityByTemperature else { return capacityAh }
        return Self.interpolate(table, temperatureC) ?? capacityAh
    }

    /// The capacity estimators start from at a temperature before they have learned one, Ah:
    /// the design capacity there when the model has one, else `defaultCapacityAh`.
    public func designCapacityAh(temperatureC: Double) -> Double {
        designCapacityByTemperature.flatMap { Self.interpolate($0, temperatureC) }
            ?? defaultCapacityAh(temperatureC: temperatureC)
    }

    /// The capacity estimators count against from their first sample (at `temperatureC`) until
    /// a discharge start tells them more, Ah: the design capacity there when the model has one,
    /// else `capacityAh`.
    public func initialCapacityAh(temperatureC: Double) -> Double {
        designCapacityByTemperature == nil ? capacityAh : designCapacityAh(temperatureC: temperatureC)
    }

    /// A capacity table read at a temperature (linear between points, held beyond); `nil` when empty.
    static func interpolate(_ table: (temperaturesC: [Double], capacityAh: [Double]), _ temperatureC: Double) -> Double? {
        let temps = table.temperaturesC
        guard !temps.isEmpty else { return nil }
        if temps.count == 1 { return table.capacityAh[0] }
        let (i, f) = SOCTemperatureTable.segment(temps, temperatureC, clamp: true)
        return table.capacityAh[i] + f * (table.capacityAh[i + 1] - table.capacityAh[i])
    }

    /// Field-wise equality (the tuple member prevents synthesis).
    public static func == (a: CellModelParameters, b: CellModelParameters) -> Bool {
        a.cellName == b.cellName && a.capacityAh == b.capacityAh
            && a.capacityByTemperature?.temperaturesC == b.capacityByTemperature?.temperaturesC
            && a.capacityByTemperature?.capacityAh == b.capacityByTemperature?.capacityAh
            && a.designCapacityByTemperature?.temperaturesC == b.designCapacityByTemperature?.temperaturesC
            && a.designCapacityByTemperature?.capacityAh == b.designCapacityByTemperature?.capacityAh
            && a.coulombicEfficiency == b.coulombicEfficiency && a.ocv == b.ocv
            && a.thevenin1RC == b.thevenin1RC && a.thevenin2RC == b.thevenin2RC
            && a.restRelaxation == b.restRelaxation && a.restedOCVTrustedFromSOC == b.restedOCVTrustedFromSOC
            && a.socZeroLoadedVoltageV == b.socZeroLoadedVoltageV && a.hysteresis == b.hysteresis
            && a.chargeTransfer == b.chargeTransfer && a.fitReport == b.fitReport
    }
}

/// How a model was identified and its residuals, as stored in `cell.json`.
public struct FitReport: Sendable, Equatable, Codable {
    /// One line per fact: data used, method, choices.
    public var method: [String]
    /// Terminal-voltage residual of the 1RC model per cell, mV RMS.
    public var residual1RCmVByCell: [String: Double]
    /// Terminal-voltage residual of the 2RC model per cell, mV RMS.
    public var residual2RCmVByCell: [String: Double]
    /// Overall residual of the 1RC model, mV RMS (sets the filters' default voltage noise when
    /// `ocvTemperatureGroups` carry no residuals of their own).
    public var residual1RCmV: Double?
    /// Overall residual of the 2RC model, mV RMS.
    public var residual2RCmV: Double?
    /// Time constants chosen, seconds (`[τ1]` and `[τ1, τ2]`).
    public var tau1RCs: [Double]
    /// Time constants of the 2RC model, seconds.
    public var tau2RCs: [Double]
    /// The OCV's temperature groups and its error on their rested full-charge readings
    /// (`nil`: one OCV row).
    public var ocvTemperatureGroups: [OCVTemperatureDependence.Group]?
    /// Residual per cell temperature of the resistance grid, each sample at the nearest grid
    /// temperature (fits of generic recordings; `nil` for the NASA fit).
    public var residualByTemperature: [TemperatureResidual]?
    /// The hysteresis fit: the slow test's gap and the decision (fits of generic recordings with
    /// a slow test; `nil` otherwise, and in files from before it).
    public var hysteresis: HysteresisFitReport?
    /// The charge-transfer fit (fits of generic recordings): the decision and, per group, a and
    /// I_ref with the residual they leave (`ChargeTransferFitReport`).
    public var chargeTransfer: ChargeTransferFitReport?

    /// The fit's voltage residual at one temperature.
    public struct TemperatureResidual: Sendable, Equatable, Codable {
        /// Grid temperature, °C.
        public var temperatureC: Double
        /// Samples counted there.
        public var samples: Int
        /// 1RC model, mV RMS.
        public var residual1RCmV: Double
        /// 2RC model, mV RMS.
        public var residual2RCmV: Double
        /// Creates a row.
        public init(temperatureC: Double, samples: Int, residual1RCmV: Double, residual2RCmV: Double) {
            self.temperatureC = temperatureC
            self.samples = samples
            self.residual1RCmV = residual1RCmV
            self.residual2RCmV = residual2RCmV
        }
    }

    /// An empty report.
    public init(method: [String] = [], residual1RCmVByCell: [String: Double] = [:],
                residual2RCmVByCell: [String: Double] = [:], residual1RCmV: Double? = nil,
                residual2RCmV: Double? = nil, tau1RCs: [Double] = [], tau2RCs: [Double] = []) {
        self.method = method
        self.residual1RCmVByCell = residual1RCmVByCell
        self.residual2RCmVByCell = residual2RCmVByCell
        self.residual1RCmV = residual1RCmV
        self.residual2RCmV = residual2RCmV
        self.tau1RCs = tau1RCs
        self.tau2RCs = tau2RCs
    }
}
