import BMSCore

/// The C text both exports share: the model's `#define`s, the alignment macro, the array's
/// initializer rows and the metadata as a comment. Every macro is `PREFIX_…` with the
/// prefix from `CIdentifier.macroPrefix`.
enum CModelText {
    /// `#define`s for the blob's size, CRC, format and topology and the memory a C build
    /// needs (`BlobFootprint`).
    static func macros(blob: DecodedBlob, bytes: [UInt8], prefix p: String) -> [String] {
        let model = blob.model
        let footprint = BlobFootprint(model: model, blobBytes: bytes.count)
        var lines = [
            "#define \(p)_SIZE \(bytes.count)u   /* blob bytes (flash) */",
            "#define \(p)_CRC32 0x\(String(blob.crc32, radix: 16, uppercase: true))u",
            "#define \(p)_FORMAT_VERSION \(blob.version)   /* 3: interleaved LSTM kernels */",
            "#define \(p)_FEATURES \(model.inputs.count)   /* inputs per sample, in this order: */",
        ]
        for (n, input) in model.inputs.enumerated() {
            lines.append("#define \(p)_FEATURE\(n) \(input.feature.rawValue)   /* \(input.feature.cName) */")
        }
        lines.append("#define \(p)_LSTM_LAYERS \(model.lstmLayers.count)")
        for (n, layer) in model.lstmLayers.enumerated() {
            lines.append("#define \(p)_LSTM\(n)_HIDDEN \(layer.hiddenSize)")
        }
        lines.append("#define \(p)_DENSE_LAYERS \(model.denseLayers.count)")
        for (n, layer) in model.denseLayers.enumerated() {
            lines.append("#define \(p)_DENSE\(n)_OUTPUTS \(layer.outputSize)")
        }
        lines.append("#define \(p)_MACS_PER_STEP \(model.multiplyAccumulates)")
        lines.append("#define \(p)_CHARGE_STEP_S \(model.chargeCounter?.stepSeconds ?? 0)   "
            + "/* s the charge_drawn input integrates over per step (0: no such input) */")
        lines.append("#define \(p)_PRIOR_CAPACITY_MAH \(model.chargeCounter?.priorCapacityMAh ?? 0)   "
            + "/* coulomb-count prior capacity, the default bms_lstm_set_prior_capacity may change (0: no prior) */")
        lines.append("/* int16 words for bms_lstm_init_context (equals bms_lstm_workspace_words). */")
        lines.append("#define \(p)_WORKSPACE_WORDS \(footprint.workspaceWords)")
        lines.append("#define \(p)_WORKSPACE_BYTES \(footprint.workspaceBytes)   /* RAM: words * sizeof(int16_t) */")
        lines.append("#define \(p)_STATE_BYTES \(footprint.estimatorStateBytes)   /* kept between steps: hidden + cell "
            + "\(footprint.lstmStateBytes) (in the workspace) + \(BlobFootprint.contextStateBytes) in bms_lstm_context_t */")
        lines.append("#define \(p)_LEARNED_PRIOR \(model.expectsLearnedPrior ? 1 : 0)   /* 1: trained for the capacity the BMS "
            + "learns (metadata prior_capacity=learned): set bms_soc_lstm_settings_t.learn_prior_capacity */")
        return lines + envelopeMacros(model, prefix: p)
    }

    /// `PREFIX_HAS_ENVELOPE` and, when the blob's metadata holds a training envelope
    /// (`TrainingEnvelope(metadata:)`; the export refuses a malformed one before it gets here),
    /// `PREFIX_ENVELOPE`: an initializer of bms_soc.h's `bms_soc_envelope_t`. Each bound is
    /// Swift's shortest text of the Double the metadata parses to, which a C compiler reads back
    /// to the same double (both round correctly).
    static func envelopeMacros(_ model: BlobModel, prefix p: String) -> [String] {
        guard let e = (try? TrainingEnvelope(metadata: model.metadataValue)) ?? nil else {
            return ["#define \(p)_HAS_ENVELOPE 0   /* no training envelope (envelope_* metadata) in the blob */"]
        }
        let bounds = [e.currentMinA, e.currentMaxA, e.temperatureMinC, e.temperatureMaxC, e.startVoltageMinV, e.socMin, e.socMax]
        return [
            "/* The blob's training envelope (envelope_* metadata), for the C LSTM wrapper's flags (bms_soc.h):",
            " *   static const bms_soc_envelope_t envelope = \(p)_ENVELOPE;",
            " *   bms_soc_lstm_settings_use_envelope(&settings, &envelope);",
            " * current min, max (A, + = charge), temperature min, max (degC), lowest start voltage (V), SOC min, max. */",
            "#define \(p)_HAS_ENVELOPE 1",
            "#define \(p)_ENVELOPE { \(bounds.map { "\($0)" }.joined(separator: ", ")) }",
        ]
    }

    /// `PREFIX_ALIGNED`: 16-byte alignment under GCC and Clang (the loader needs 4 for a
    /// version-3 blob; 16 keeps every tensor word-aligned). Defined only if the build has
    /// not defined it already (another compiler's spelling).
    static func alignedMacro(prefix p: String) -> [String] {
        [
            "#ifndef \(p)_ALIGNED",
            "#if defined(__GNUC__) || defined(__clang__)",
            "#define \(p)_ALIGNED __attribute__((aligned(16)))",
            "#else",
            "#define \(p)_ALIGNED",
            "#endif",
            "#endif",
        ]
    }

    /// The bytes as initializer rows, 16 per line.
    static func byteRows(_ bytes: [UInt8]) -> [String] {
        stride(from: 0, to: bytes.count, by: 16).map { start in
            "   " + bytes[start..<min(start + 16, bytes.count)]
                .map { " 0x" + ($0 < 16 ? "0" : "") + String($0, radix: 16) + "," }.joined()
        }
    }

    /// The blob's metadata (`key = value`) as comment lines, with anything that could end
    /// the comment or break the line made harmless.
    static func metadataComment(_ model: BlobModel) -> [String] {
        guard !model.metadata.isEmpty else { return [] }
        func clean(_ s: String) -> String {
            var out = ""
            for scalar in s.unicodeScalars {
                let c: Character = scalar.value < 0x20 || scalar.value == 0x7F ? " " : Character(scalar)
                if let last = out.last, (last == "*" && c == "/") || (last == "/" && c == "*") { out.append(" ") }
                out.append(c)
            }
            return out
        }
        return ["/* Metadata of the blob:"] + model.metadata.map { " *   \(clean($0.key)) = \(clean($0.value))" } + [" */"]
    }
}

extension InputFeature {
    /// The `enum bms_feature` constant of this feature.
    var cName: String {
        switch self {
        case .voltage: "BMS_FEATURE_VOLTAGE"
        case .current: "BMS_FEATURE_CURRENT"
        case .temperature: "BMS_FEATURE_TEMPERATURE"
        case .dCurrent: "BMS_FEATURE_D_CURRENT"
        case .dVoltage: "BMS_FEATURE_D_VOLTAGE"
        case .chargeDrawn: "BMS_FEATURE_CHARGE_DRAWN"
        case .priorCapacity: "BMS_FEATURE_PRIOR_CAPACITY"
        case .priorSOC: "BMS_FEATURE_PRIOR_SOC"
        }
    }
}
