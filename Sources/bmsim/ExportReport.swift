import CellModel
import WeightBlob

/// What `export` prints: the files written and the flash and RAM a C build of the blob
/// needs with the C runtime (`BlobFootprint`).
struct ExportReport: Codable, TabularReport, Equatable {
    /// The files written, in order (`NAME.h`, `NAME.c`; or the one header).
    var files: [String]
    /// The C identifier of the array.
    var symbol: String
    /// Prefix of every macro (`symbol` in capitals).
    var macroPrefix: String
    /// The blob's format version (3: interleaved LSTM kernels).
    var formatVersion: Int
    /// Flash: bytes of the blob array.
    var flashBlobBytes: Int
    /// `int16_t` words of workspace (`PREFIX_WORKSPACE_WORDS`).
    var workspaceWords: Int
    /// RAM: bytes of workspace.
    var ramWorkspaceBytes: Int
    /// Hidden and cell state of every LSTM layer, bytes (inside the workspace).
    var lstmStateBytes: Int
    /// Previous sample and charge counter in `bms_lstm_context_t`, bytes.
    var contextStateBytes: Int
    /// RAM kept from one step to the next: `lstmStateBytes + contextStateBytes`.
    var estimatorStateBytes: Int

    init(files: [String], symbol: String, blob: DecodedBlob, blobBytes: Int) {
        let footprint = BlobFootprint(model: blob.model, blobBytes: blobBytes)
        self.files = files
        self.symbol = symbol
        macroPrefix = CIdentifier.macroPrefix(symbol)
        formatVersion = blob.version
        flashBlobBytes = footprint.blobBytes
        workspaceWords = footprint.workspaceWords
        ramWorkspaceBytes = footprint.workspaceBytes
        lstmStateBytes = footprint.lstmStateBytes
        contextStateBytes = BlobFootprint.contextStateBytes
        estimatorStateBytes = footprint.estimatorStateBytes
    }

    var table: String {
        let p = macroPrefix
        let rows = [
            ("flash", "blob", flashBlobBytes, "\(symbol)[\(p)_SIZE], format v\(formatVersion)"),
            ("RAM", "workspace", ramWorkspaceBytes, "\(p)_WORKSPACE_WORDS = \(workspaceWords) × int16_t"),
            ("RAM", "estimator state", estimatorStateBytes,
             "hidden + cell \(lstmStateBytes) in the workspace + \(contextStateBytes) in bms_lstm_context_t"),
        ]
        let width = max(5, rows.map { String($0.2).count }.max() ?? 0)
        func line(_ memory: String, _ item: String, _ bytes: String, _ what: String) -> String {
            memory.padding(to: 8) + item.padding(to: 17) + String(repeating: " ", count: width - bytes.count) + bytes + "  " + what
        }
        var lines = ["wrote \(files.joined(separator: " and "))", line("memory", "item", "bytes", "what")]
        lines += rows.map { line($0.0, $0.1, String($0.2), $0.3) }
        return lines.joined(separator: "\n") + "\n"
    }

    var csvHeader: [String] {
        ["symbol", "format_version", "flash_blob_bytes", "workspace_words", "ram_workspace_bytes",
         "lstm_state_bytes", "context_state_bytes", "estimator_state_bytes"]
    }

    var csvRows: [[String]] {
        [[symbol] + [formatVersion, flashBlobBytes, workspaceWords, ramWorkspaceBytes, lstmStateBytes,
                     contextStateBytes, estimatorStateBytes].map(String.init)]
    }
}

/// What `export --cell-model` prints: the files written and the flash their tables take.
struct CellModelExportReport: Codable, TabularReport, Equatable {
    /// The files written (`NAME.h`, `NAME.c`).
    var files: [String]
    /// The C identifier of the `bms_cell_model_t`.
    var symbol: String
    /// Prefix of the header's macros.
    var macroPrefix: String
    /// Flash: bytes of float32 tables (`PREFIX_TABLE_BYTES`).
    var flashTableBytes: Int
    /// SOC points × temperatures of the OCV table.
    var ocvPoints: Int
    /// SOC points × temperatures of each 1RC table (R0, R1, τ1).
    var theveninPoints: Int
    /// Temperature groups of the charge-transfer term (0: none).
    var chargeTransferGroups: Int
    /// SOC points × temperatures of each 2RC table (R0, R1, τ1, R2, τ2); 0 when not written.
    var twoRCPoints: Int
    /// The model's `filterPairs` (1 without), `PREFIX_FILTER_PAIRS` in the header.
    var filterPairs: Int

    init(files: [String], symbol: String, tables: CellModelCTables, tableBytes: Int, twoRC: Bool = false,
         filterPairs: Int = 1) {
        self.files = files
        self.symbol = symbol
        macroPrefix = CIdentifier.macroPrefix(symbol)
        flashTableBytes = tableBytes
        ocvPoints = tables.ocv.values.count
        theveninPoints = tables.r0Ohm.values.count
        chargeTransferGroups = tables.chargeTransferTemperaturesC.count
        twoRCPoints = twoRC ? tables.twoRC.r0Ohm.values.count : 0
        self.filterPairs = filterPairs
    }

    var table: String {
        ["wrote \(files.joined(separator: " and "))",
         "flash  tables  \(flashTableBytes) bytes  \(macroPrefix)_TABLE_BYTES: OCV \(ocvPoints) points, "
            + "R0/R1/tau1 \(theveninPoints) points each, capacity, relaxation and noise curves"
            + (chargeTransferGroups == 0 ? "" : ", charge-transfer term (\(chargeTransferGroups) group\(chargeTransferGroups == 1 ? "" : "s"))")
            + (twoRCPoints == 0 ? "" : ", 2RC R0/R1/tau1/R2/tau2 \(twoRCPoints) points each") + " (float32)",
         "filters  \(filterPairs) R-C pair\(filterPairs == 1 ? "" : "s")  \(macroPrefix)_FILTER_PAIRS (cell.json filterPairs): "
            + "bms_soc_ekf_init_pairs(&ekf, &\(symbol), &config, soc, \(macroPrefix)_FILTER_PAIRS)"]
            .joined(separator: "\n") + "\n"
    }

    var csvHeader: [String] { ["symbol", "flash_table_bytes", "ocv_points", "thevenin_points", "two_rc_points", "filter_pairs"] }

    var csvRows: [[String]] {
        [[symbol, String(flashTableBytes), String(ocvPoints), String(theveninPoints), String(twoRCPoints), String(filterPairs)]]
    }
}

private extension String {
    /// Padded with spaces to `width` characters (unchanged when longer).
    func padding(to width: Int) -> String { count >= width ? self : self + String(repeating: " ", count: width - count) }
}
