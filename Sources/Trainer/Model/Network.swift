import BMSCore
import FloatModel

/// A built layer of a `Network`.
public enum NetworkLayer {
    /// LSTM layer.
    case lstm(LSTMLayer)
    /// Dropout layer.
    case dropout(DropoutLayer)
    /// Dense layer.
    case dense(DenseLayer)
}

/// A trainable sequential network built from an `Architecture`, with forward and
/// backward passes over time-major batches (rows `t · B + b`).
public final class Network {
    /// The description it was built from.
    public let architecture: Architecture
    /// Built layers, in order.
    public let layers: [NetworkLayer]
    private let lastLSTM: Int
    private var lastStepRows = Tensor(rows: 0, cols: 0)
    private var lastStepGradient = Tensor(rows: 0, cols: 0)
    private var outputGradientScratch: [Tensor] = []
    private var mode: SequenceMode = .window
    private var steps = 0, lanes = 0

    /// Builds the layers with Keras's initialisation from `seed` (dropout masks get
    /// seeds derived from it too).
    public init(architecture: Architecture, seed: UInt64) {
        self.architecture = architecture
        var generator = SeededGenerator(seed: seed)
        var width = architecture.inputSize
        var built: [NetworkLayer] = []
        for (index, spec) in architecture.layers.enumerated() {
            switch spec {
            case let .lstm(units):
                let layer = LSTMLayer(inputSize: width, units: units)
                Initializers.keras(layer, generator: &generator)
                built.append(.lstm(layer)); width = units
            case let .dropout(rate):
                built.append(.dropout(DropoutLayer(rate: Float(rate), seed: seed &+ 0x9E37_79B9 &* UInt64(index + 1))))
            case let .dense(units, activation):
                let layer = DenseLayer(inputSize: width, units: units, activation: activation)
                Initializers.keras(layer, generator: &generator)
                built.append(.dense(layer)); width = units
            }
        }
        layers = built
        lastLSTM = architecture.lastLSTMIndex
    }

    /// Every trainable tensor, in layer order (LSTM: W, U, b; dense: W, b).
    public var parameters: [Tensor] {
        layers.flatMap { layer -> [Tensor] in
            switch layer {
            case let .lstm(l): return l.parameters
            case let .dense(d): return d.parameters
            case .dropout: return []
            }
        }
    }

    /// Gradients matching `parameters`.
    public var gradients: [Tensor] {
        layers.flatMap { layer -> [Tensor] in
            switch layer {
            case let .lstm(l): return l.gradients
            case let .dense(d): return d.gradients
            case .dropout: return []
            }
        }
    }

    /// Total trainable parameter count.
    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.count } }

    /// How every LSTM layer does its steps (`LSTMStepKernel`; layers start with `blas`).
    /// The caller makes sure the CPU supports it.
    public var stepKernel: LSTMStepKernel {
        get {
            for case let .lstm(l) in layers { return l.stepKernel }
            return .blas
        }
        set { for case let .lstm(l) in layers { l.stepKernel = newValue } }
    }

    /// Zeroes the carried state of every LSTM layer.
    public func resetState() {
        for case let .lstm(l) in layers { l.resetState() }
    }

    /// Runs the network on `input` (`[T·B × features]`).
    /// - window mode: returns `[B × 1]`, the output after the last step of each lane;
    ///   every lane starts from zero state.
    /// - stateful mode: returns `[T·B × 1]`, one output per step; state is carried from the
    ///   previous call and reset where `keep` is 0.
    public func forward(_ input: Tensor, steps t: Int, lanes b: Int, mode: SequenceMode,
                        training: Bool, keep: UnsafePointer<Float>? = nil) -> Tensor {
        self.mode = mode; steps = t; lanes = b
        var x = input
        for (index, layer) in layers.enumerated() {
            switch layer {
            case let .lstm(l):
                x = l.forward(x, steps: t, lanes: b, keep: keep, carryState: mode == .stateful)
                if index == lastLSTM && mode == .window {
                    if lastStepRows.rows != b || lastStepRows.cols != l.units {
                        lastStepRows = Tensor(rows: b, cols: l.units)
                    }
                    lastStepRows.data.update(from: x.row((t - 1) * b), count: b * l.units)
                    x = lastStepRows
                }
            case let .dropout(d):
                x = d.forward(x, training: training)
            case let .dense(d):
                x = d.forward(x)
            }
        }
        return x
    }

    /// Backpropagates ∂loss/∂output (shape of the last `forward`'s result) and fills
    /// every layer's parameter gradients.
    public func backward(_ outputGradient: Tensor) {
        var g = outputGradient
        for index in stride(from: layers.count - 1, through: 0, by: -1) {
            let needInput = index > 0
            switch layers[index] {
            case let .dense(d):
                d.backward(g, needInputGradient: needInput); g = d.inputGradient
            case let .dropout(d):
                g = d.backward(g)
            case let .lstm(l):
                if index == lastLSTM && mode == .window {
                    let n = steps * lanes
                    if lastStepGradient.rows != n || lastStepGradient.cols != l.units {
                        lastStepGradient = Tensor(rows: n, cols: l.units)
                    }
                    lastStepGradient.fill(0)
                    lastStepGradient.row((steps - 1) * lanes).update(from: g.data, count: lanes * l.units)
                    g = lastStepGradient
                }
                l.backward(g, needInputGradient: needInput); g = l.inputGradient
            }
        }
    }
}
