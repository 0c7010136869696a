/// How a network is run over a batch.
public enum SequenceMode: String, Codable, Sendable, CaseIterable {
    /// Many-to-one: every lane is a fresh window from zero state; one output per lane
    /// from the last step (the tutorial's Keras model).
    case window
    /// Many-to-many: one output per step and lane; state is carried between calls and
    /// reset per lane where `keep` is 0 (streaming / truncated BPTT).
    case stateful
}
