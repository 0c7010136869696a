/// A cell model flattened into the float32 arrays of the C estimators' `bms_cell_model_t`
/// (`Sources/CBMSSoc/include/bms_soc.h`): what `bmsim export --cell-model cell.json
/// --c-source NAME` prints as const tables, and what the C-versus-Swift agreement tests hand
/// to the C code. Only what the Ah counter and the EKF read is kept (the fit's free text and
/// its per-cell residuals are not); the 2RC model (`twoRC`, `bms_soc_two_rc_t`) is flattened
/// too, and the exporter writes it when asked (`--two-rc`). The hysteresis (M, M0, γ per
/// temperature group, `bms_soc_hysteresis_t`) and the charge-transfer term (a, I_ref per
/// temperature group, `bms_soc_charge_transfer_t`) are kept as they are: the C code
/// interpolates them over temperature as `Hysteresis.parameters(temperatureC:)` and
/// `ChargeTransfer.voltageV(currentA:temperatureC:)` do.
///
/// ```swift
/// let tables = CellModelCTables(model)
/// tables.ocv.values.count          // OCV temperatures × SOC points
/// tables.tau1S.values              // τ1 = R1·C1 at the nodes, s
/// ```
public struct CellModelCTables: Sendable, Equatable {
    /// One table over SOC × temperature (`bms_soc_table_t`), values row-major by temperature.
    public struct Table: Sendable, Equatable {
        /// SOC grid (fraction).
        public var socPoints: [Float]
        /// Temperature grid, °C.
        public var temperaturesC: [Float]
        /// `temperaturesC.count × socPoints.count` values.
        public var values: [Float]

        init(_ table: SOCTemperatureTable) {
            socPoints = table.socPoints.map(Float.init)
            temperaturesC = table.temperaturesC.map(Float.init)
            values = table.values.map(Float.init)
        }
    }

    /// The 2RC model for the EKF with two R–C pairs (`bms_soc_two_rc_t`).
    public struct TwoRC: Sendable, Equatable {
        /// R0, Ω.
        public var r0Ohm: Table
        /// First branch: R1, Ω.
        public var r1Ohm: Table
        /// First branch: τ1 = R1·C1 at the nodes, s.
        public var tau1S: Table
        /// Second branch: R2, Ω.
        public var r2Ohm: Table
        /// Second branch: τ2 = R2·C2 at the nodes, s.
        public var tau2S: Table
        /// The 2RC fit's overall residual, mV RMS (20 when the model has none, as the filters assume).
        public var residualmV: Float
        /// The 2RC residual per OCV temperature group that has one, mV RMS.
        public var residualmVByTemperature: Curve
    }

    /// One quantity over temperature (`bms_soc_curve_t`); empty = none.
    public struct Curve: Sendable, Equatable {
        /// Temperatures, °C.
        public var temperaturesC: [Float]
        /// Values, one per temperature.
        public var values: [Float]

        init(_ temperaturesC: [Double], _ values: [Double]) {
            self.temperaturesC = temperaturesC.map(Float.init)
            self.values = values.map(Float.init)
        }
    }

    /// Default capacity, Ah.
    public var capacityAh: Float
    /// Default capacity over temperature, Ah.
    public var capacityByTemperature: Curve
    /// Design capacity over temperature, Ah.
    public var designCapacity: Curve
    /// Coulombic efficiency.
    public var coulombicEfficiency: Float
    /// OCV, V.
    public var ocv: Table
    /// 1RC model: R0, Ω.
    public var r0Ohm: Table
    /// 1RC model: R1, Ω.
    public var r1Ohm: Table
    /// 1RC model: τ1 = R1·C1 at the nodes, s.
    public var tau1S: Table
    /// Rest relaxation: shortest and longest rest of the law, s (0 without a law).
    public var relaxationMinimumRestS: Float
    /// Longest rest of the law, s.
    public var relaxationMaximumRestS: Float
    /// Relaxation slope b over temperature, V per e-fold (empty without a law).
    public var relaxationSlopeVPerLogS: Curve
    /// Relaxation reference rest t_ref over temperature, s.
    public var relaxationReferenceRestS: Curve
    /// `restedOCVTrustedFromSOC`.
    public var restedOCVTrustedFromSOC: Float?
    /// `socZeroLoadedVoltageV`.
    public var socZeroLoadedVoltageV: Float?
    /// The 1RC fit's overall residual, mV RMS (20 when the model has none, as the filters assume).
    public var residual1RCmV: Float
    /// The 1RC residual per OCV temperature group that has one, mV RMS.
    public var residual1RCmVByTemperature: Curve
    /// Hysteresis group temperatures, °C (empty: no hysteresis).
    public var hysteresisTemperaturesC: [Float]
    /// M per group, V.
    public var hysteresisMaximumV: [Float]
    /// M0 per group, V.
    public var hysteresisInstantaneousV: [Float]
    /// γ per group.
    public var hysteresisRateConstant: [Float]
    /// Charge-transfer group temperatures, °C (empty: no term).
    public var chargeTransferTemperaturesC: [Float]
    /// a per group, V.
    public var chargeTransferCoefficientV: [Float]
    /// I_ref per group, A.
    public var chargeTransferReferenceCurrentA: [Float]
    /// The 2RC model (every cell model has one).
    public var twoRC: TwoRC

    /// Flattens `model` (a validated one: every value fits a float32); throws for a
    /// charge-transfer term the C estimators would refuse at init (`checkChargeTransfer`: a
    /// model built in code, not read from a checked `cell.json`).
    public init(_ model: CellModelParameters) throws(CellModelCExportError) {
        if let term = model.chargeTransfer { try Self.checkChargeTransfer(term, cell: model.cellName) }
        capacityAh = Float(model.capacityAh)
        capacityByTemperature = Curve(model.capacityByTemperature?.temperaturesC ?? [],
                                      model.capacityByTemperature?.capacityAh ?? [])
        designCapacity = Curve(model.designCapacityByTemperature?.temperaturesC ?? [],
                               model.designCapacityByTemperature?.capacityAh ?? [])
        coulombicEfficiency = Float(model.coulombicEfficiency)
        ocv = Table(model.ocv.table)
        let circuit = model.thevenin(pairCount: 1)
        r0Ohm = Table(circuit.r0Ohm)
        r1Ohm = Table(circuit.pairs[0].resistanceOhm)
        tau1S = Table(circuit.pairs[0].timeConstantS)
        let law = model.restRelaxation
        relaxationMinimumRestS = Float(law?.minimumRestS ?? 0)
        relaxationMaximumRestS = Float(law?.maximumRestS ?? 0)
        relaxationSlopeVPerLogS = Curve(law?.groups.map(\.temperatureC) ?? [], law?.groups.map(\.slopeVPerLogS) ?? [])
        relaxationReferenceRestS = Curve(law?.groups.map(\.temperatureC) ?? [], law?.groups.map(\.referenceRestS) ?? [])
        restedOCVTrustedFromSOC = model.restedOCVTrustedFromSOC.map(Float.init)
        socZeroLoadedVoltageV = model.socZeroLoadedVoltageV.map(Float.init)
        residual1RCmV = Float(model.fitReport.residual1RCmV ?? 20)
        let groups = (model.fitReport.ocvTemperatureGroups ?? []).filter { $0.residual1RCmV != nil }
        residual1RCmVByTemperature = Curve(groups.map(\.temperatureC), groups.map { $0.residual1RCmV ?? 0 })
        let hysteresis = model.hysteresis?.groups ?? []
        hysteresisTemperaturesC = hysteresis.map { Float($0.temperatureC) }
        hysteresisMaximumV = hysteresis.map { Float($0.maximumV) }
        hysteresisInstantaneousV = hysteresis.map { Float($0.instantaneousV) }
        hysteresisRateConstant = hysteresis.map { Float($0.rateConstant) }
        let transfer = model.chargeTransfer?.groups ?? []
        chargeTransferTemperaturesC = transfer.map { Float($0.temperatureC) }
        chargeTransferCoefficientV = transfer.map { Float($0.coefficientV) }
        chargeTransferReferenceCurrentA = transfer.map { Float($0.referenceCurrentA) }
        let two = model.thevenin(pairCount: 2)
        let twoGroups = (model.fitReport.ocvTemperatureGroups ?? []).filter { $0.residual2RCmV != nil }
        twoRC = TwoRC(r0Ohm: Table(two.r0Ohm), r1Ohm: Table(two.pairs[0].resistanceOhm),
                      tau1S: Table(two.pairs[0].timeConstantS), r2Ohm: Table(two.pairs[1].resistanceOhm),
                      tau2S: Table(two.pairs[1].timeConstantS), residualmV: Float(model.fitReport.residual2RCmV ?? 20),
                      residualmVByTemperature: Curve(twoGroups.map(\.temperatureC), twoGroups.map { $0.residual2RCmV ?? 0 }))
    }
}
