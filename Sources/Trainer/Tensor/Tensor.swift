/// A row-major Float32 matrix that owns its storage (reference semantics, allocated once).
///
/// The trainer's buffers are all `Tensor`s allocated when a model or a batch workspace is
/// built; the training step only writes into them. A sequence batch of `T` steps and `B`
/// lanes with `F` features is stored time-major as `rows = T * B`, `cols = F`
/// (row `t * B + b`), so one `sgemm` can project every step of every lane at once.
public final class Tensor: @unchecked Sendable {
    /// Number of rows.
    public let rows: Int
    /// Number of columns (the fastest-varying index).
    public let cols: Int
    /// The elements, `rows * cols` of them, row-major.
    public let data: UnsafeMutablePointer<Float>

    /// Creates a zero-filled `rows × cols` tensor.
    public init(rows: Int, cols: Int) {
        precondition(rows >= 0 && cols >= 0, "negative tensor shape")
        self.rows = rows
        self.cols = cols
        data = .allocate(capacity: max(rows * cols, 1))
        data.initialize(repeating: 0, count: max(rows * cols, 1))
    }

    /// Creates a `rows × cols` tensor holding `values` (row-major, `rows * cols` of them).
    public convenience init(rows: Int, cols: Int, values: [Float]) {
        precondition(values.count == rows * cols, "tensor values do not match the shape")
        self.init(rows: rows, cols: cols)
        values.withUnsafeBufferPointer { src in
            if let base = src.baseAddress { data.update(from: base, count: values.count) }
        }
    }

    deinit { data.deallocate() }

    /// Number of elements.
    @inlinable public var count: Int { rows * cols }

    /// Shape as `[rows, cols]`.
    public var shape: [Int] { [rows, cols] }

    /// Element `(row, col)`.
    @inlinable public subscript(row: Int, col: Int) -> Float {
        get { data[row * cols + col] }
        set { data[row * cols + col] = newValue }
    }

    /// Pointer to the first element of `row`.
    @inlinable public func row(_ row: Int) -> UnsafeMutablePointer<Float> { data + row * cols }

    /// The elements as an array (a copy).
    public var values: [Float] { Array(UnsafeBufferPointer(start: data, count: count)) }

    /// Sets every element to `value`.
    public func fill(_ value: Float) { data.update(repeating: value, count: count) }

    /// Copies every element of `other` (same element count) into this tensor.
    public func copy(from other: Tensor) {
        precondition(other.count == count, "copy between tensors of different sizes")
        data.update(from: other.data, count: count)
    }

    /// A new tensor with the same shape and elements.
    public func clone() -> Tensor {
        let t = Tensor(rows: rows, cols: cols)
        t.copy(from: self)
        return t
    }
}
