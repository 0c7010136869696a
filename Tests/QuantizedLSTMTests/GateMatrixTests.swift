import BMSCore
import FixedPoint
import Foundation
import Testing
@testable import QuantizedLSTM
@testable import WeightBlob

/// The engine's phased LSTM kernels against independent references: the gate sums on
/// `GateMatrix`'s layout (scalar and SIMD) against 64-bit sums of the row-major rows, the
/// unpacked requantization against `QuantizedMultiplier`, and whole engines on every
/// `KernelPath` against the row-major reference path, step by step on random blobs.
struct GateMatrixTests {
    static func extremeWeight(_ rng: inout SeededGenerator) -> Int8 {
        rng.next() % 7 == 0 ? Int8.min : Int8(truncatingIfNeeded: rng.next())
    }

    static func extremeInput(_ rng: inout SeededGenerator) -> Int16 {
        rng.next() % 8 == 0 ? Int16.min : Int16(truncatingIfNeeded: rng.next())
    }

    /// `BlobModel.random` for seed n; on even seeds every LSTM shift below 33 is moved to
    /// 33…46, so those layers take the packed-saturation path (`BlobModel.random` gives
    /// 20 % "wild" shifts in 1…62, which almost every layer has one of).
    static func randomModel(seed: Int) -> BlobModel {
        var rng = SeededGenerator(seed: 5000 + UInt64(seed))
        var model = BlobModel.random(using: &rng, chargeCounter: seed % 4 == 3)
        if seed % 2 == 0 {
            func lift(_ shifts: [Int32]) -> [Int32] { shifts.map { $0 < 33 ? 33 + $0 % 14 : $0 } }
            for n in model.lstmLayers.indices {
                model.lstmLayers[n].inputShifts = lift(model.lstmLayers[n].inputShifts)
                model.lstmLayers[n].recurrentShifts = lift(model.lstmLayers[n].recurrentShifts)
            }
        }
        return model
    }

    @Test func pairKernelMatchesThePortableForm() {
        var rng = SeededGenerator(seed: 21)
        for _ in 0..<20_000 {
            let a = SIMD8<Int16>((0..<8).map { _ in Int16(Self.extremeWeight(&rng)) })
            let b = SIMD8<Int16>((0..<8).map { _ in Self.extremeInput(&rng) })
            var expected = SIMD4<Int32>()
            for k in 0..<4 { expected[k] = Int32(a[2 * k]) * Int32(b[2 * k]) + Int32(a[2 * k + 1]) * Int32(b[2 * k + 1]) }
            #expect(multiplyAddPairs(a, b) == expected)
            #expect(multiplyAddPairsPortable(a, b) == expected)
        }
    }

    /// Every width 1…70 and 1…9 units (whole and partial blocks), extreme values, with and
    /// without a start (bias) vector.
    @Test func gateSumsMatchAWideReference() {
        var rng = SeededGenerator(seed: 13)
        for columns in 1...70 {
            let hidden = 1 + Int(rng.next() % 9)
            let kernel = (0..<(4 * hidden * columns)).map { _ in Self.extremeWeight(&rng) }
            let matrix = GateMatrix(kernel, hidden: hidden, columns: columns)
            defer { matrix.deallocate() }
            var input = [Int16](repeating: 0, count: matrix.paddedColumns)
            for c in 0..<columns { input[c] = Self.extremeInput(&rng) }
            let start = (0..<matrix.paddedRows).map { _ in Int32(truncatingIfNeeded: rng.next() % (1 << 24)) - (1 << 23) }
            for withStart in [false, true] {
                var scalar = [Int32](repeating: 7, count: matrix.paddedRows)
                var simd = [Int32](repeating: 7, count: matrix.paddedRows)
                input.withUnsafeBufferPointer { x in
                    start.withUnsafeBufferPointer { s in
                        let from = withStart ? s.baseAddress : nil
                        scalar.withUnsafeMutableBufferPointer { gateSumsScalar(matrix, x.baseAddress!, start: from, into: $0.baseAddress!) }
                        simd.withUnsafeMutableBufferPointer { gateSumsSIMD(matrix, x.baseAddress!, start: from, into: $0.baseAddress!) }
                    }
                }
                for unit in 0..<hidden {
                    for gate in 0..<4 {
                        var reference = withStart ? Int64(start[4 * unit + gate]) : 0
                        for c in 0..<columns {
                            reference += Int64(kernel[(gate * hidden + unit) * columns + c]) * Int64(input[c])
                        }
                        let at = 4 * unit + gate
                        #expect(Int64(scalar[at]) == reference, "columns \(columns) unit \(unit) gate \(gate)")
                        #expect(Int64(simd[at]) == reference, "columns \(columns) unit \(unit) gate \(gate)")
                    }
                }
            }
        }
    }

    @Test func unpackedRequantizationMatchesQuantizedMultiplier() {
        var rng = SeededGenerator(seed: 31)
        let edges: [Int32] = [Int32.min, Int32.min + 1, -1, 0, 1, Int32.max - 1, Int32.max]
        for n in 0..<300_000 {
            let acc = n < edges.count * 62 ? edges[n % edges.count] : Int32(truncatingIfNeeded: rng.next())
            let m = n % 5 == 0 ? (n % 2 == 0 ? Int32(1 << 30) : Int32.max)
                : Int32(1 << 30) + Int32(truncatingIfNeeded: rng.next() % (1 << 30))
            let s = n < edges.count * 62 ? Int32(1 + n / edges.count) : Int32(1 + rng.next() % 62)
            let q = QuantizedMultiplier(multiplier: m, shift: s)
            #expect(RowRequantization(q).applySaturating16(acc) == Int32(q.applySaturatingInt16(to: acc)),
                    "acc \(acc) m \(m) s \(s)")
        }
    }

    /// The four-row SIMD requantization (and its portable form) against
    /// `RowRequantization.applyTruncating`, itself checked above, for shifts 33…62 and
    /// accumulators including the extremes.
    @Test func fourRowRequantizationMatchesRowByRow() {
        var rng = SeededGenerator(seed: 41)
        let edges: [Int32] = [Int32.min, Int32.min + 1, -1, 0, 1, Int32.max - 1, Int32.max]
        for n in 0..<50_000 {
            let rows = (0..<4).map { k -> RowRequantization in
                let m = (n + k) % 7 == 0 ? Int32.max : Int32(1 << 30) + Int32(truncatingIfNeeded: rng.next() % (1 << 30))
                let s = (n + k) % 5 == 0 ? Int32(33 + (n / 5) % 30) : Int32(33 + rng.next() % 30)
                return RowRequantization(QuantizedMultiplier(multiplier: m, shift: s))
            }
            let four = FourRowRequantization(rows)
            var acc = SIMD4<Int32>()
            for k in 0..<4 {
                acc[k] = rng.next() % 3 == 0 ? edges[Int(rng.next() % 7)] : Int32(truncatingIfNeeded: rng.next())
            }
            let expected = SIMD4((0..<4).map { rows[$0].applyTruncating(acc[$0]) })
            #expect(four.apply(acc) == expected, "acc \(acc)")
            #expect(four.applyPortable(acc) == expected, "acc \(acc)")
        }
    }

    /// Property: on random valid blobs (widths up to 20, so partial unit blocks and odd
    /// column counts) and random inputs including ADC faults, every path gives the same SOC
    /// and the same hidden and cell states as the reference path at every step.
    @Test(arguments: 0..<24)
    func everyKernelPathMatchesTheReferenceOnRandomBlobs(seed: Int) throws {
        let model = Self.randomModel(seed: seed)
        let decoded = try BlobReader.decode(try BlobWriter.encode(model)).model
        let reference = QuantizedLSTMEngine(model: decoded, path: .reference)
        let others = [KernelPath.portable, .vector].map { QuantizedLSTMEngine(model: decoded, path: $0) }
        var source = RawSampleSource(rng: SeededGeneratorBox(seed: 900 + UInt64(seed)))
        for n in 0..<200 {
            let sample = source.next()
            let expected = reference.step(sample)
            for engine in others {
                let soc = engine.step(sample)
                guard soc == expected, engine.stateSnapshot == reference.stateSnapshot else {
                    Issue.record("seed \(seed) step \(n) path \(engine.lstm.first?.path as Any): \(soc) vs \(expected)")
                    return
                }
            }
        }
    }

    /// The random blobs of the property above (valid: the reader accepts them) reach both
    /// pre-activation paths: layers whose shifts are all ≥ 33 (packed saturation) and layers
    /// with a smaller one (row by row).
    @Test func randomBlobsReachBothSaturationPaths() throws {
        var packed = 0, rowByRow = 0
        for seed in 0..<24 {
            let model = try BlobReader.decode(try BlobWriter.encode(Self.randomModel(seed: seed))).model
            for layer in QuantizedLSTMEngine(model: model, path: .vector).lstm {
                if layer.packedSaturation { packed += 1 } else { rowByRow += 1 }
            }
        }
        #expect(packed > 0 && rowByRow > 0, "packed \(packed), row by row \(rowByRow)")
    }

    /// The golden vectors on every path (debug builds run `.portable` in the other golden
    /// tests; this one also runs `.vector` and `.reference`).
    @Test(arguments: KernelPath.allCases)
    func everyKernelPathReproducesTheGoldenSteps(path: KernelPath) throws {
        let (blob, vectors) = try GoldenVectorTests.load()
        let engine = QuantizedLSTMEngine(model: try BlobReader.decode(blob).model, path: path)
        var mismatches = 0
        for (sample, expected) in zip(vectors.samples, vectors.socCentiPercent) where engine.step(sample) != expected {
            mismatches += 1
        }
        #expect(mismatches == 0)
        #expect(vectors.samples.count == 10_000)
    }
}
