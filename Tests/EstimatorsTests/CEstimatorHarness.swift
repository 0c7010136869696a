import BMSCore
import CBMSRuntime
import CBMSSoc
import CellModel

/// A `bms_cell_model_t` over heap copies of `CellModelCTables` (what `bmsim export
/// --cell-model` prints as const tables), alive as long as this object.
final class CCellModel {
    let pointer: UnsafeMutablePointer<bms_cell_model_t>
    private let buffers: [UnsafeMutablePointer<Float>]
    /// The charge-transfer groups `pointer.pointee.charge_transfer` points at (nil: none).
    private let chargeTransfer: UnsafeMutablePointer<bms_soc_charge_transfer_t>?
    /// The 2RC model `pointer.pointee.two_rc` points at (nil: none).
    private let twoRC: UnsafeMutablePointer<bms_soc_two_rc_t>?

    /// With `twoRC` (the default) the model carries its 2RC tables, as `export --two-rc` writes
    /// them; without, `two_rc` is NULL.
    init(_ tables: CellModelCTables, twoRC withTwoRC: Bool = true, editTwoRC: (inout bms_soc_two_rc_t) -> Void = { _ in }) {
        var owned: [UnsafeMutablePointer<Float>] = []
        func copy(_ values: [Float]) -> UnsafePointer<Float>? {
            guard !values.isEmpty else { return nil }
            let p = UnsafeMutablePointer<Float>.allocate(capacity: values.count)
            p.initialize(from: values, count: values.count)
            owned.append(p)
            return UnsafePointer(p)
        }
        func table(_ t: CellModelCTables.Table) -> bms_soc_table_t {
            bms_soc_table_t(soc_points: copy(t.socPoints), temperatures_C: copy(t.temperaturesC), values: copy(t.values),
                            soc_count: UInt16(t.socPoints.count), temperature_count: UInt16(t.temperaturesC.count))
        }
        func curve(_ c: CellModelCTables.Curve) -> bms_soc_curve_t {
            bms_soc_curve_t(temperatures_C: copy(c.temperaturesC), values: copy(c.values), count: UInt16(c.values.count))
        }
        var m = bms_cell_model_t()
        m.capacity_Ah = tables.capacityAh
        m.capacity_by_temperature = curve(tables.capacityByTemperature)
        m.design_capacity = curve(tables.designCapacity)
        m.coulombic_efficiency = tables.coulombicEfficiency
        m.ocv_V = table(tables.ocv)
        m.r0_ohm = table(tables.r0Ohm)
        m.r1_ohm = table(tables.r1Ohm)
        m.tau1_s = table(tables.tau1S)
        m.relaxation_minimum_rest_s = tables.relaxationMinimumRestS
        m.relaxation_maximum_rest_s = tables.relaxationMaximumRestS
        m.relaxation_slope_V_per_log_s = curve(tables.relaxationSlopeVPerLogS)
        m.relaxation_reference_rest_s = curve(tables.relaxationReferenceRestS)
        m.has_rested_ocv_floor = tables.restedOCVTrustedFromSOC == nil ? 0 : 1
        m.rested_ocv_trusted_from_soc = tables.restedOCVTrustedFromSOC ?? 0
        m.has_soc_zero_loaded_voltage = tables.socZeroLoadedVoltageV == nil ? 0 : 1
        m.soc_zero_loaded_voltage_V = tables.socZeroLoadedVoltageV ?? 0
        m.residual_1rc_mV = tables.residual1RCmV
        m.residual_1rc_mV_by_temperature = curve(tables.residual1RCmVByTemperature)
        m.hysteresis = bms_soc_hysteresis_t(temperatures_C: copy(tables.hysteresisTemperaturesC),
                                            maximum_V: copy(tables.hysteresisMaximumV),
                                            instantaneous_V: copy(tables.hysteresisInstantaneousV),
                                            rate_constant: copy(tables.hysteresisRateConstant),
                                            count: UInt16(tables.hysteresisTemperaturesC.count))
        if tables.chargeTransferTemperaturesC.isEmpty {
            chargeTransfer = nil
        } else {
            let term = UnsafeMutablePointer<bms_soc_charge_transfer_t>.allocate(capacity: 1)
            term.initialize(to: bms_soc_charge_transfer_t(temperatures_C: copy(tables.chargeTransferTemperaturesC),
                                                          coefficient_V: copy(tables.chargeTransferCoefficientV),
                                                          reference_current_A: copy(tables.chargeTransferReferenceCurrentA),
                                                          count: UInt16(tables.chargeTransferTemperaturesC.count)))
            chargeTransfer = term
            m.charge_transfer = UnsafePointer(term)
        }
        if withTwoRC {
            let t = tables.twoRC
            var two = bms_soc_two_rc_t(r0_ohm: table(t.r0Ohm), r1_ohm: table(t.r1Ohm), tau1_s: table(t.tau1S),
                                       r2_ohm: table(t.r2Ohm), tau2_s: table(t.tau2S), residual_mV: t.residualmV,
                                       residual_mV_by_temperature: curve(t.residualmVByTemperature))
            editTwoRC(&two)
            let p = UnsafeMutablePointer<bms_soc_two_rc_t>.allocate(capacity: 1)
            p.initialize(to: two)
            twoRC = p
            m.two_rc = UnsafePointer(p)
        } else {
            twoRC = nil
        }
        pointer = .allocate(capacity: 1)
        pointer.initialize(to: m)
        buffers = owned
    }

    deinit {
        buffers.forEach { $0.deallocate() }
        chargeTransfer?.deallocate()
        twoRC?.deallocate()
        pointer.deallocate()
    }
}

/// A heap `bms_soc_config_t` (the C estimators keep a pointer to it).
final class CConfig {
    let pointer: UnsafeMutablePointer<bms_soc_config_t>
    init(_ edit: (inout bms_soc_config_t) -> Void = { _ in }) {
        var c = bms_soc_config_t()
        bms_soc_config_default(&c)
        edit(&c)
        pointer = .allocate(capacity: 1)
        pointer.initialize(to: c)
    }
    deinit { pointer.deallocate() }
}

/// One C estimator behind the calls the Swift `SOCEstimator` protocol makes.
/// The estimate a C tick writes (`tick` gets a zeroed one to fill).
func cEstimate(_ tick: (inout bms_soc_estimate_t) -> Void) -> bms_soc_estimate_t {
    var e = bms_soc_estimate_t()
    tick(&e)
    return e
}

protocol CEstimator: AnyObject {
    func update(_ m: CellMeasurement32) -> bms_soc_estimate_t
    func wake(afterSleepSeconds s: Float)
    func reset(soc: Float)
}

/// A measurement as the C API takes it (float32); `swift` is the same values as `Double`.
struct CellMeasurement32: Equatable {
    var voltageV: Float
    var currentA: Float
    var temperatureC: Float
    var dtSeconds: Float
    var swift: CellMeasurement {
        CellMeasurement(voltageV: Double(voltageV), currentA: Double(currentA), temperatureC: Double(temperatureC),
                        dtSeconds: Double(dtSeconds))
    }
}

/// `bms_soc_ah_t` with its model and config kept alive.
final class CAhCounter: CEstimator {
    let model: CCellModel, config: CConfig
    let state = UnsafeMutablePointer<bms_soc_ah_t>.allocate(capacity: 1)
    let status: bms_soc_status_t
    init(model: CCellModel, config: CConfig, soc: Float = 1) {
        self.model = model
        self.config = config
        status = bms_soc_ah_init(state, model.pointer, config.pointer, soc)
    }
    deinit { state.deallocate() }
    func update(_ m: CellMeasurement32) -> bms_soc_estimate_t {
        var e = bms_soc_estimate_t()
        _ = bms_soc_ah_tick(state, m.voltageV, m.currentA, m.temperatureC, m.dtSeconds, &e)
        return e
    }
    func wake(afterSleepSeconds s: Float) { _ = bms_soc_ah_wake(state, s) }
    func reset(soc: Float) { _ = bms_soc_ah_reset(state, soc) }
}

/// `bms_soc_ekf_t` with its model and config kept alive; `pairs` R–C pairs (1 through
/// `bms_soc_ekf_init`, otherwise `bms_soc_ekf_init_pairs`).
final class CEKF: CEstimator {
    let model: CCellModel, config: CConfig
    let state = UnsafeMutablePointer<bms_soc_ekf_t>.allocate(capacity: 1)
    let status: bms_soc_status_t
    init(model: CCellModel, config: CConfig, soc: Float = 1, pairs: Int32 = 1) {
        self.model = model
        self.config = config
        status = pairs == 1 ? bms_soc_ekf_init(state, model.pointer, config.pointer, soc)
            : bms_soc_ekf_init_pairs(state, model.pointer, config.pointer, soc, pairs)
    }
    deinit { state.deallocate() }
    func update(_ m: CellMeasurement32) -> bms_soc_estimate_t {
        var e = bms_soc_estimate_t()
        _ = bms_soc_ekf_tick(state, m.voltageV, m.currentA, m.temperatureC, m.dtSeconds, &e)
        return e
    }
    func wake(afterSleepSeconds s: Float) { _ = bms_soc_ekf_wake(state, s) }
    func reset(soc: Float) { _ = bms_soc_ekf_reset(state, soc) }
}

/// `bms_soc_lstm_t` over a loaded blob, with its workspace, model and config kept alive.
final class CLSTM: CEstimator {
    let cell: CCellModel, config: CConfig
    let blob: UnsafeMutableRawPointer
    let lstmModel = UnsafeMutablePointer<bms_lstm_model_t>.allocate(capacity: 1)
    let workspace: UnsafeMutablePointer<Int16>
    let state = UnsafeMutablePointer<bms_soc_lstm_t>.allocate(capacity: 1)
    let status: bms_soc_status_t
    /// The counter between runs (`bms_soc_lstm_set_between_runs`), kept alive.
    let between: CAhCounter?

    /// The wrapper with `settings` as given.
    init(blobBytes: [UInt8], cell: CCellModel, config: CConfig, soc: Float = 1, between: CAhCounter? = nil,
         settings given: bms_soc_lstm_settings_t) {
        self.between = between
        self.cell = cell
        self.config = config
        blob = .allocate(byteCount: max(1, blobBytes.count), alignment: 16)
        blob.copyMemory(from: blobBytes, byteCount: blobBytes.count)
        let loaded = bms_lstm_load_blob(blob.assumingMemoryBound(to: UInt8.self), blobBytes.count, lstmModel)
        precondition(loaded == BMS_OK, "blob does not load")
        let words = Int(bms_lstm_workspace_words(lstmModel))
        workspace = .allocate(capacity: words)
        var settings = given
        let initialised = bms_soc_lstm_init(state, lstmModel, workspace, words, cell.pointer, config.pointer, &settings, soc)
        status = initialised == BMS_SOC_OK ? bms_soc_lstm_set_between_runs(state, between?.state) : initialised
    }

    /// The wrapper with the defaults and these settings; `envelope` as a firmware sets the
    /// export's NAME_ENVELOPE (`bms_soc_lstm_settings_use_envelope`: the flags, the start
    /// voltage and run-through-charge).
    convenience init(blobBytes: [UInt8], cell: CCellModel, config: CConfig, soc: Float = 1, between: CAhCounter? = nil,
                     learnPriorCapacity: Bool = false, fullStartMinRestVoltageV: Double = 0, runThroughCharge: Bool = false,
                     envelope: TrainingEnvelope? = nil) {
        var settings = bms_soc_lstm_settings_t()
        bms_soc_lstm_settings_default(&settings)
        settings.learn_prior_capacity = learnPriorCapacity ? 1 : 0
        settings.full_start_min_rest_voltage_V = fullStartMinRestVoltageV
        settings.run_through_charge = runThroughCharge ? 1 : 0
        if let e = envelope {
            var c = bms_soc_envelope_t(current_min_A: e.currentMinA, current_max_A: e.currentMaxA,
                                       temperature_min_C: e.temperatureMinC, temperature_max_C: e.temperatureMaxC,
                                       start_voltage_min_V: e.startVoltageMinV, soc_min: e.socMin, soc_max: e.socMax)
            precondition(bms_soc_lstm_settings_use_envelope(&settings, &c) == BMS_SOC_OK, "envelope refused")
        }
        self.init(blobBytes: blobBytes, cell: cell, config: config, soc: soc, between: between, settings: settings)
    }
    deinit {
        state.deallocate()
        workspace.deallocate()
        lstmModel.deallocate()
        blob.deallocate()
    }
    func update(_ m: CellMeasurement32) -> bms_soc_estimate_t {
        var e = bms_soc_estimate_t()
        _ = bms_soc_lstm_tick(state, m.voltageV, m.currentA, m.temperatureC, m.dtSeconds, &e)
        return e
    }
    func wake(afterSleepSeconds s: Float) { _ = bms_soc_lstm_wake(state, s) }
    func reset(soc: Float) { _ = bms_soc_lstm_reset(state, soc) }
    /// Discharges not given a model run (`bms_soc_lstm_t.declined_runs`).
    var declinedRuns: Int { Int(state.pointee.declined_runs) }
    /// Model runs started.
    var dischargesStarted: Int { Int(state.pointee.discharges_started) }
}
