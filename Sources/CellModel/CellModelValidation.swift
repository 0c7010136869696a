/// Checks a decoded `cell.json` document field by field and builds the parameters.
///
/// Every number is checked against the range it can physically mean (`Limits`), not only
/// for being finite and positive: a coulombic efficiency of 7 was accepted and made the Ah
/// counter's RMSE 386 % (reliability issue row 17).
struct CellModelValidation {
    let file: String

    /// The documented ranges of a cell model's numbers (`Docs/Reliability.md`, "Limits").
    enum Limits {
        static let capacityAh: ClosedRange<Double> = 1e-3...1e4
        static let coulombicEfficiency: ClosedRange<Double> = 0.5...1
        static let temperatureC: ClosedRange<Double> = -60...150
        static let soc: ClosedRange<Double> = -1...2
        static let ocvV: ClosedRange<Double> = 0.5...6
        static let resistanceOhm: ClosedRange<Double> = 1e-7...100
        static let capacitanceF: ClosedRange<Double> = 1e-3...1e9
        static let restS: ClosedRange<Double> = 1...1e8
        static let relaxationSlopeV: ClosedRange<Double> = -1...1
        static let residualmV: ClosedRange<Double> = 1e-6...1e4
        static let hysteresisV: ClosedRange<Double> = 0...1
        static let hysteresisRateConstant: ClosedRange<Double> = 1e-3...1e5
        static let chargeTransferV: ClosedRange<Double> = 0...2
        static let chargeTransferReferenceA: ClosedRange<Double> = 1e-6...1e5
    }

    func parameters(from doc: CellModelDocument) throws(CellModelFileError) -> CellModelParameters {
        guard doc.format == CellModelFile.formatName, CellModelFile.supportedVersions.contains(doc.version) else {
            throw .unsupportedFormat(file: file,
                                     expected: "\(CellModelFile.formatName) v\(CellModelFile.supportedVersions.lowerBound)"
                                        + "–v\(CellModelFile.supportedVersions.upperBound)",
                                     found: "\(doc.format) v\(doc.version)")
        }
        try within(doc.capacityAh, Limits.capacityAh, "capacityAh")
        try within(doc.coulombicEfficiency, Limits.coulombicEfficiency, "coulombicEfficiency")
        let capacityTable = try capacity(doc.capacityByTemperature, "capacityByTemperature")
        let designTable = try capacity(doc.designCapacityByTemperature, "designCapacityByTemperature")
        let ocvTable = try table(soc: doc.ocv.socPoints, temps: doc.ocv.temperaturesC,
                                 rows: doc.ocv.voltageV, field: "ocv", valueName: "voltageV",
                                 range: Limits.ocvV, increasingRows: true)
        let ocv = OCVCurve(table: ocvTable)
        let t1 = try thevenin(doc.thevenin1RC, "thevenin1RC", pairs: 1)
        let t2 = try thevenin(doc.thevenin2RC, "thevenin2RC", pairs: 2)
        if let law = doc.restRelaxation { try relaxation(law) }
        if let law = doc.hysteresis { try hysteresis(law, version: doc.version) }
        if let term = doc.chargeTransfer { try chargeTransfer(term, version: doc.version) }
        if let pairs = doc.filterPairs {
            guard doc.version >= 4 else {
                throw .malformed(file: file, field: "filterPairs",
                                 detail: "a model with filterPairs must be version 4 (an older reader would ignore it)")
            }
            try finite(pairs, "filterPairs")
            guard pairs == 1 || pairs == 2 else {
                throw .outOfRange(file: file, field: "filterPairs", found: pairs, allowed: "1 or 2")
            }
        }
        if let floor = doc.restedOCVTrustedFromSOC {
            try finite(floor, "restedOCVTrustedFromSOC")
            guard floor >= -1 && floor <= 1 else {
                throw .malformed(file: file, field: "restedOCVTrustedFromSOC", detail: "must lie in [-1, 1], found \(floor)")
            }
        }
        if let zero = doc.socZeroLoadedVoltageV { try within(zero, Limits.ocvV, "socZeroLoadedVoltageV") }
        if let groups = doc.fitReport.ocvTemperatureGroups { try groupResiduals(groups) }
        if let rows = doc.fitReport.residualByTemperature { try temperatureResiduals(rows) }
        var model = CellModelParameters(cellName: doc.cell, capacityAh: doc.capacityAh,
                                   capacityByTemperature: capacityTable, designCapacityByTemperature: designTable,
                                   coulombicEfficiency: doc.coulombicEfficiency, ocv: ocv,
                                   thevenin1RC: t1, thevenin2RC: t2, restRelaxation: doc.restRelaxation,
                                   restedOCVTrustedFromSOC: doc.restedOCVTrustedFromSOC,
                                   socZeroLoadedVoltageV: doc.socZeroLoadedVoltageV, hysteresis: doc.hysteresis,
                                   chargeTransfer: doc.chargeTransfer, fitReport: doc.fitReport)
        model.filterPairs = doc.filterPairs.map { Int($0) }
        return model
    }

    /// The optional hysteresis (version 2 only): at least one group, temperatures increasing and
    /// in range, M and M0 in 0…1 V (not negative), γ > 0.
    func hysteresis(_ law: Hysteresis, version: Int) throws(CellModelFileError) {
        guard version >= 2 else {
            throw .malformed(file: file, field: "hysteresis",
                             detail: "a model with hysteresis must be version 2 (a version-1 reader would ignore it)")
        }
        try increasing(law.groups.map(\.temperatureC), "hysteresis.groups.temperatureC", minCount: 1)
        try within(law.groups.map(\.temperatureC), Limits.temperatureC, "hysteresis.groups.temperatureC")
        for (i, g) in law.groups.enumerated() {
            try within(g.maximumV, Limits.hysteresisV, "hysteresis.groups[\(i)].maximumV")
            try within(g.instantaneousV, Limits.hysteresisV, "hysteresis.groups[\(i)].instantaneousV")
            try within(g.rateConstant, Limits.hysteresisRateConstant, "hysteresis.groups[\(i)].rateConstant")
        }
    }

    /// The optional charge-transfer term (version 3 only): at least one group, temperatures
    /// increasing and in range, a in 0…2 V (not negative), I_ref in 1 µA…100 kA (> 0).
    func chargeTransfer(_ term: ChargeTransfer, version: Int) throws(CellModelFileError) {
        guard version >= 3 else {
            throw .malformed(file: file, field: "chargeTransfer",
                             detail: "a model with a charge-transfer term must be version 3 (an older reader would ignore it)")
        }
        try increasing(term.groups.map(\.temperatureC), "chargeTransfer.groups.temperatureC", minCount: 1)
        try within(term.groups.map(\.temperatureC), Limits.temperatureC, "chargeTransfer.groups.temperatureC")
        for (i, g) in term.groups.enumerated() {
            try within(g.coefficientV, Limits.chargeTransferV, "chargeTransfer.groups[\(i)].coefficientV")
            try within(g.referenceCurrentA, Limits.chargeTransferReferenceA, "chargeTransfer.groups[\(i)].referenceCurrentA")
        }
    }

    /// The optional per-group fit residuals (they set the filters' voltage noise): positive
    /// and finite where present; group temperatures finite and increasing then.
    func groupResiduals(_ groups: [OCVTemperatureDependence.Group]) throws(CellModelFileError) {
        guard groups.contains(where: { $0.residual1RCmV != nil || $0.residual2RCmV != nil }) else { return }
        try increasing(groups.map(\.temperatureC), "fitReport.ocvTemperatureGroups.temperatureC", minCount: 1)
        for (i, g) in groups.enumerated() {
            if let r = g.residual1RCmV { try within(r, Limits.residualmV, "fitReport.ocvTemperatureGroups[\(i)].residual1RCmV") }
            if let r = g.residual2RCmV { try within(r, Limits.residualmV, "fitReport.ocvTemperatureGroups[\(i)].residual2RCmV") }
        }
    }

    /// The optional per-temperature residuals of a generic fit: temperatures in range and
    /// increasing, residuals in range, at least one sample each.
    func temperatureResiduals(_ rows: [FitReport.TemperatureResidual]) throws(CellModelFileError) {
        try within(rows.map(\.temperatureC), Limits.temperatureC, "fitReport.residualByTemperature.temperatureC")
        try increasing(rows.map(\.temperatureC), "fitReport.residualByTemperature.temperatureC", minCount: 1)
        for (i, r) in rows.enumerated() {
            try within(r.residual1RCmV, Limits.residualmV, "fitReport.residualByTemperature[\(i)].residual1RCmV")
            try within(r.residual2RCmV, Limits.residualmV, "fitReport.residualByTemperature[\(i)].residual2RCmV")
            guard r.samples >= 1 else {
                throw .malformed(file: file, field: "fitReport.residualByTemperature[\(i)].samples",
                                 detail: "must be at least 1, found \(r.samples)")
            }
        }
    }

    /// The optional relaxation law: rest range positive and increasing, at least one group,
    /// group temperatures increasing, slopes finite, reference rests positive.
    func relaxation(_ law: RestRelaxation) throws(CellModelFileError) {
        try within(law.minimumRestS, Limits.restS, "restRelaxation.minimumRestS")
        try within(law.maximumRestS, Limits.restS, "restRelaxation.maximumRestS")
        try increasing([law.minimumRestS, law.maximumRestS], "restRelaxation.[minimumRestS, maximumRestS]", minCount: 2)
        try increasing(law.groups.map(\.temperatureC), "restRelaxation.groups.temperatureC", minCount: 1)
        for (i, g) in law.groups.enumerated() {
            try within(g.slopeVPerLogS, Limits.relaxationSlopeV, "restRelaxation.groups[\(i)].slopeVPerLogS")
            try within(g.referenceRestS, Limits.restS, "restRelaxation.groups[\(i)].referenceRestS")
        }
    }

    func thevenin(_ d: TheveninDocument, _ field: String, pairs: Int)
        throws(CellModelFileError) -> TheveninParameters {
        let r0 = try table(soc: d.socPoints, temps: d.temperaturesC, rows: d.r0Ohm, field: field,
                           valueName: "r0Ohm", range: Limits.resistanceOhm, increasingRows: false)
        try count(d.rOhm, pairs, "\(field).rOhm")
        try count(d.cF, pairs, "\(field).cF")
        var list: [RCPair] = []
        for j in 0..<pairs {
            let r = try table(soc: d.socPoints, temps: d.temperaturesC, rows: d.rOhm[j], field: field,
                              valueName: "rOhm[\(j)]", range: Limits.resistanceOhm, increasingRows: false)
            let c = try table(soc: d.socPoints, temps: d.temperaturesC, rows: d.cF[j], field: field,
                              valueName: "cF[\(j)]", range: Limits.capacitanceF, increasingRows: false)
            list.append(RCPair(resistanceOhm: r, capacitanceF: c))
        }
        return TheveninParameters(r0Ohm: r0, pairs: list)
    }

    func table(soc: [Double], temps: [Double], rows: [[Double]], field: String, valueName: String,
               range: ClosedRange<Double>, increasingRows: Bool)
        throws(CellModelFileError) -> SOCTemperatureTable {
        try increasing(soc, "\(field).socPoints", minCount: 2)
        try within(soc, Limits.soc, "\(field).socPoints")
        try increasing(temps, "\(field).temperaturesC", minCount: 1)
        try within(temps, Limits.temperatureC, "\(field).temperaturesC")
        try count(rows, temps.count, "\(field).\(valueName)")
        var values: [Double] = []
        values.reserveCapacity(soc.count * temps.count)
        for (t, row) in rows.enumerated() {
            let name = "\(field).\(valueName)[\(t)]"
            try count(row, soc.count, name)
            for (s, v) in row.enumerated() {
                try within(v, range, "\(name)[\(s)]")
            }
            if increasingRows { try increasing(row, name, minCount: 2) }
            values += row
        }
        return SOCTemperatureTable(socPoints: soc, temperaturesC: temps, values: values,
                                   extrapolateSOC: increasingRows)
    }

    func finite(_ v: Double, _ field: String) throws(CellModelFileError) {
        guard v.isFinite else { throw .nonFinite(file: file, field: field) }
    }

    /// Finite and inside `range` (a value ≤ 0 where the range is positive keeps its
    /// `notPositive` error).
    func within(_ v: Double, _ range: ClosedRange<Double>, _ field: String) throws(CellModelFileError) {
        try finite(v, field)
        if range.lowerBound > 0 && v <= 0 { throw .notPositive(file: file, field: field, found: v) }
        guard range.contains(v) else {
            throw .outOfRange(file: file, field: field, found: v, allowed: "\(range.lowerBound)…\(range.upperBound)")
        }
    }

    /// Every element finite and inside `range`.
    func within(_ values: [Double], _ range: ClosedRange<Double>, _ field: String) throws(CellModelFileError) {
        for (i, v) in values.enumerated() { try within(v, range, "\(field)[\(i)]") }
    }

    func count<T>(_ a: [T], _ n: Int, _ field: String) throws(CellModelFileError) {
        guard a.count == n else { throw .shapeMismatch(file: file, field: field, expected: n, found: a.count) }
    }

    /// A capacity-over-temperature table, checked field by field (`nil` stays `nil`).
    func capacity(_ cap: CapacityDocument?, _ field: String)
        throws(CellModelFileError) -> (temperaturesC: [Double], capacityAh: [Double])? {
        guard let cap else { return nil }
        try increasing(cap.temperaturesC, "\(field).temperaturesC", minCount: 1)
        try within(cap.temperaturesC, Limits.temperatureC, "\(field).temperaturesC")
        try count(cap.capacityAh, cap.temperaturesC.count, "\(field).capacityAh")
        for (i, c) in cap.capacityAh.enumerated() {
            try within(c, Limits.capacityAh, "\(field).capacityAh[\(i)]")
        }
        return (cap.temperaturesC, cap.capacityAh)
    }

    func increasing(_ a: [Double], _ field: String, minCount: Int) throws(CellModelFileError) {
        guard a.count >= minCount else {
            throw .shapeMismatch(file: file, field: field, expected: minCount, found: a.count)
        }
        for (i, v) in a.enumerated() {
            try finite(v, "\(field)[\(i)]")
            if i > 0 && !(v > a[i - 1]) {
                throw .notIncreasing(file: file, field: "\(field)[\(i)]", previous: a[i - 1], found: v)
            }
        }
    }
}
