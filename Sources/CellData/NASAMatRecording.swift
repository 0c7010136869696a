import BMSCore

/// Reads a NASA PCoE `.mat` file (one struct variable per cell whose `cycle` field is a
/// 1×N struct array of `type`, `ambient_temperature`, `time`, `data`) into a `Recording`.
public enum NASAMatRecording {
    /// Reads and converts the file at `path`.
    public static func read(path: String, policy: QualityPolicy = QualityPolicy(),
                            limits: MATReader.Limits = MATReader.Limits()) throws(CellDataError) -> Recording {
        try recording(from: try MATReader.read(path: path, limits: limits), source: path, policy: policy)
    }

    /// Converts an already parsed MAT file.
    public static func recording(from file: MATFile, source: String,
                                 policy: QualityPolicy = QualityPolicy()) throws(CellDataError) -> Recording {
        let here = InputLocation(file: source)
        guard let variable = file.variables.first(where: { $0.value.structure?.fieldNames.contains("cycle") == true }),
              let cellStruct = variable.value.structure else {
            throw .missingField(here, path: "top-level struct variable", field: "cycle")
        }
        guard case let .structure(cycles)? = cellStruct.field("cycle") else {
            throw .missingField(here, path: variable.name, field: "cycle")
        }
        for required in ["type", "time", "data"] where !cycles.fieldNames.contains(required) {
            throw .missingField(here, path: "\(variable.name).cycle", field: required)
        }
        var raw: [NASARawOperation] = []
        raw.reserveCapacity(cycles.count)
        for k in 0..<cycles.count {
            let path = "\(variable.name).cycle(\(k + 1))"
            guard let type = cycles.field("type", element: k)?.text else {
                throw .missingField(here, path: path, field: "type")
            }
            guard let when = cycles.field("time", element: k)?.numeric, let startS = CivilTime.seconds(dateVector: when.real) else {
                throw .missingField(here, path: path, field: "time (1×6 date vector)")
            }
            let ambient = cycles.field("ambient_temperature", element: k)?.numeric?.real.first
            var op = NASARawOperation(nasaCycle: k, type: type, startSeconds: startS, ambientTemperatureC: ambient)
            if type == "charge" || type == "discharge" {
                guard let data = cycles.field("data", element: k)?.structure else {
                    throw .missingField(here, path: path, field: "data")
                }
                func column(_ name: String) throws(CellDataError) -> [Double] {
                    guard let values = data.field(name)?.numeric, values.imaginary == nil else {
                        throw .missingField(here, path: "\(path).data", field: name)
                    }
                    return values.real
                }
                let time = try column("Time"), voltage = try column("Voltage_measured")
                let current = try column("Current_measured"), temperature = try column("Temperature_measured")
                guard voltage.count == time.count, current.count == time.count, temperature.count == time.count else {
                    throw .malformed(here, expected: "\(path).data columns of equal length",
                                     found: "Time \(time.count), V \(voltage.count), I \(current.count), T \(temperature.count)")
                }
                try checkIncreasing(time, here: here, path: "\(path).data.Time")
                op.samples = OperationSamples(timeS: time, voltageV: voltage, currentA: current, temperatureC: temperature)
                if type == "discharge", let capacity = data.field("Capacity")?.numeric?.real.first, capacity.isFinite {
                    op.capacityAh = capacity
                }
            }
            raw.append(op)
        }
        return NASARecordingBuilder.build(cell: variable.name, source: source, raw: raw, policy: policy)
    }

    /// Time must increase strictly among the non-NaN samples.
    static func checkIncreasing(_ time: [Double], here: InputLocation, path: String) throws(CellDataError) {
        var previous = -Double.infinity
        for t in time where !t.isNaN {
            guard t > previous else {
                throw .nonMonotoneTime(InputLocation(file: "\(here.file) (\(path))"), previousS: previous, foundS: t)
            }
            previous = t
        }
    }
}
