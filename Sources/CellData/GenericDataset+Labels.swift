import BMSCore

/// Labelled sequences of a generic dataset: what scoring (`bmsim classical-eval`) and training
/// (`bmsim train`, `evaluate`, `quantize`) consume, in the shape of the NASA path's
/// `LabelledDischarge`.
///
/// A recording is **labelled** when every one of its operations but its gaps carries the `soc` column in
/// every row (`CellOperation.providedSOC`); it then gives one sequence per stretch of recorded
/// time: the **whole recording** (charges, rests and label changes included) on its own time
/// axis from 0, a sample shared by two operations at their boundary kept once (the later
/// operation's), with that exact SOC as the label (not a coulomb count) — cut where the log
/// did not record (`LogContinuity`: a `gap` operation, whose rows are left out; a hole of more
/// than an hour; a pause at a change of operation longer than two of the log's intervals), so
/// no estimator or network is fed hours of a made-up ramp, and each stretch starts as after a
/// sleep. The stretches share the recording's `cycle`, the file's position in the dataset
/// (`Member.number`), and `source`; a stretch of one sample is left out. Its capacity the
/// recording's `capacity_ah` column, else the manifest's `nominal_capacity_ah`, else Σ|ΔAh| / Σ|ΔSOC|
/// over the recording (when the SOC moves by at least 0.01). A recording without `soc` (or with
/// rows that lack it, or that the quality rules dropped) is listed as unlabelled: it can be
/// fitted but not scored.
extension GenericDataset {
    /// Labelled sequences, and the recordings that had no label.
    public struct LabelledData: Sendable {
        /// One sequence per labelled recording, in dataset order.
        public var sequences: [LabelledDischarge]
        /// Names of the recordings without a full `soc` column, with the reason.
        public var unlabelled: [String]
    }

    /// The labelled sequences of `members`. Throws `noLabelledData` when there are members but
    /// none is labelled (an empty `members` gives an empty result).
    public func labelled(_ members: [Member]) throws(CellDataError) -> LabelledData {
        let recordings = try recordings(members)
        var out = LabelledData(sequences: [], unlabelled: [])
        for (member, recording) in zip(members, recordings) {
            switch try Self.sequences(recording, member: member, nominalCapacityAh: nominalCapacityAh) {
            case let .success(sequences): out.sequences += sequences
            case let .failure(reason): out.unlabelled.append("\(member.name) (\(reason.text))")
            }
        }
        if out.sequences.isEmpty && !members.isEmpty {
            throw .noLabelledData(source: manifestPath ?? root, unlabelled: out.unlabelled)
        }
        return out
    }

    /// Why a recording gives no sequence.
    struct Unlabelled: Error {
        let text: String
    }

    /// The recording as labelled sequences, one per stretch of recorded time, or why not.
    static func sequences(_ r: Recording, member: Member, nominalCapacityAh: Double?)
        throws(CellDataError) -> Result<[LabelledDischarge], Unlabelled> {
        if let k = r.operations.firstIndex(where: { $0.providedSOC == nil && !$0.isGap }) {
            let op = r.operations[k]
            return .failure(Unlabelled(text: op.quality.contains { $0.action == .droppedSamples }
                ? "rows dropped by the quality rules in operation \(k + 1)"
                : "no soc in every row of operation \(k + 1) (\(op.kind.rawValue))"))
        }
        var pieces: [(samples: OperationSamples, soc: [Double])] = []
        for stretch in LogContinuity.stretches(r.operations) {
            var t: [Double] = [], v: [Double] = [], i: [Double] = [], temp: [Double] = [], soc: [Double] = []
            for piece in stretch {
                let op = r.operations[piece.operation], s = op.samples, labels = op.providedSOC!
                for k in piece.samples {
                    let time = op.startTimeS + s.timeS[k]
                    if let last = t.last, !(time > last) {
                        // The sample an operation shares with the one before: the later operation's reading.
                        guard time == last else { continue }
                        t.removeLast(); v.removeLast(); i.removeLast(); temp.removeLast(); soc.removeLast()
                    }
                    t.append(time); v.append(s.voltageV[k]); i.append(s.currentA[k]); temp.append(s.temperatureC[k])
                    soc.append(labels[k])
                }
            }
            guard t.count >= 2 else { continue }
            let t0 = t[0]
            pieces.append((OperationSamples(timeS: t.map { $0 - t0 }, voltageV: v, currentA: i, temperatureC: temp), soc))
        }
        guard !pieces.isEmpty else { return .failure(Unlabelled(text: "fewer than two samples")) }
        let column = r.operations.compactMap(\.capacityAh).first { $0 > 0 && $0.isFinite }
        guard let capacity = column ?? nominalCapacityAh ?? movedCapacityAh(pieces) else {
            throw .badValue(InputLocation(file: member.path), column: "capacity_ah",
                            expected: "a capacity for the labelled recording: a capacity_ah column, the manifest's "
                                + "nominal_capacity_ah, or an SOC that moves by at least 0.01",
                            found: "none of them")
        }
        return .success(pieces.map {
            LabelledDischarge(cell: r.cell, cycle: member.number, capacityAh: capacity, samples: $0.samples, soc: $0.soc,
                              source: member.name, ambientTemperatureC: r.operations.first?.ambientTemperatureC)
        })
    }

    /// Σ|ΔAh| / Σ|ΔSOC| over the samples of every stretch (trapezoid charge), nil when the SOC
    /// moves less than 0.01.
    static func movedCapacityAh(_ pieces: [(samples: OperationSamples, soc: [Double])]) -> Double? {
        var ah = 0.0, moved = 0.0
        for (s, soc) in pieces {
            for k in 1..<s.count {
                ah += abs(0.5 * (s.currentA[k] + s.currentA[k - 1]) * (s.timeS[k] - s.timeS[k - 1])) / 3600
                moved += abs(soc[k] - soc[k - 1])
            }
        }
        return moved >= 0.01 && ah > 0 ? ah / moved : nil
    }
}
