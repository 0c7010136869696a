/// Flash and RAM one blob needs in a firmware build with the C runtime (`bms_lstm.h`),
/// computed from the model alone, the same way the C loader does.
///
/// - flash: the blob itself (`blobBytes`), kept as a `const` array.
/// - RAM: the `int16_t` workspace `bms_lstm_init_context` binds,
///   `W = Σₗ 2·Hₗ + F + 4·max H + 2·max D + ⌈max(F, max H, max D)⌉₄ + ⌈max H⌉₄`
///   words (states, standardised features, gate pre-activations, two dense buffers,
///   packed-input scratch; `⌈x⌉₄` rounds up to a multiple of 4). For the demo model
///   (F = 5, one LSTM of 32, Dense 1): `64 + 5 + 128 + 2 + 32 + 32 = 263` words, 526 bytes.
/// - estimator state, what must survive from one step to the next: the hidden and cell
///   state of every layer (`Σₗ 2·Hₗ` words at the start of the workspace) plus the
///   context's previous sample and charge counter (`contextStateBytes`).
///
/// The validated model struct and the context's pointers are extra and depend on the
/// target's ABI (408 and 20 bytes on a Cortex-M4, Docs/Performance.md).
public struct BlobFootprint: Sendable, Equatable {
    /// Bytes of one workspace word (`int16_t`).
    public static let bytesPerWorkspaceWord = 2
    /// Bytes of `bms_lstm_context_t` that carry state between steps: previous voltage (µV)
    /// and current (mA) as `int32_t`, the charge drawn (0.5 mA·s, `int32_t`) and the
    /// `has_previous` flag (`uint8_t`): 4 + 4 + 4 + 1. Present in every model (the
    /// difference features need the previous sample; the counter stays 0 without a
    /// charge-drawn input).
    public static let contextStateBytes = 13

    /// Bytes of the blob (flash).
    public var blobBytes: Int
    /// `int16_t` words of workspace (`bms_lstm_workspace_words`).
    public var workspaceWords: Int
    /// Hidden size of each LSTM layer, in order.
    public var hiddenSizes: [Int]

    /// The footprint of `model` stored in a blob of `blobBytes` bytes.
    public init(model: BlobModel, blobBytes: Int) {
        let maxHidden = model.lstmLayers.map(\.hiddenSize).max() ?? 0
        let maxDense = model.denseLayers.map(\.outputSize).max() ?? 0
        let widest = max(model.inputs.count, maxHidden, maxDense)
        func roundedUpTo4(_ n: Int) -> Int { (n + 3) / 4 * 4 }
        let stateWords = model.lstmLayers.reduce(0) { $0 + 2 * $1.hiddenSize }
        self.blobBytes = blobBytes
        self.hiddenSizes = model.lstmLayers.map(\.hiddenSize)
        self.workspaceWords = stateWords + model.inputs.count + 4 * maxHidden + 2 * maxDense
            + roundedUpTo4(widest) + roundedUpTo4(maxHidden)
    }

    /// Bytes of workspace (RAM): `workspaceWords × sizeof(int16_t)`.
    public var workspaceBytes: Int { workspaceWords * Self.bytesPerWorkspaceWord }

    /// Bytes of hidden and cell state, all layers (`Σₗ 2·Hₗ × sizeof(int16_t)`; part of
    /// the workspace).
    public var lstmStateBytes: Int { hiddenSizes.reduce(0) { $0 + 2 * $1 } * Self.bytesPerWorkspaceWord }

    /// Bytes of state kept between steps: `lstmStateBytes + contextStateBytes`.
    public var estimatorStateBytes: Int { lstmStateBytes + Self.contextStateBytes }
}
