import BMSCore

/// The 50-step windows of a list of cycles (the benchmark task, Docs/Benchmark.md): window `(c, i)` is
/// `features[i ..< i+L]` of cycle `c` with target `label[i+L]`; windows never cross cycles.
public struct WindowSet: Sendable {
    /// `(cycle index, start step)` of each window, in cycle order then start order.
    public var windows: [(cycle: Int, start: Int)]
    /// Window length L.
    public let lookback: Int

    /// Windows with starts `0, stride, 2·stride, … < n − L` in every cycle.
    public init(cycles: [ScaledCycle], stride: Int, lookback: Int = TaskSplit.lookback) {
        precondition(stride > 0 && lookback > 0, "stride and lookback must be positive")
        self.lookback = lookback
        var list: [(cycle: Int, start: Int)] = []
        for (c, cycle) in cycles.enumerated() where cycle.count > lookback {
            for i in Swift.stride(from: 0, to: cycle.count - lookback, by: stride) { list.append((c, i)) }
        }
        windows = list
    }

    /// Number of windows.
    public var count: Int { windows.count }

    /// Writes windows `range` time-major into `input` (`[L·B × width]`, B = range.count) and
    /// their scaled targets into `target` (`[B × 1]`).
    public func fill(_ range: Range<Int>, from cycles: [ScaledCycle], input: Tensor, target: Tensor) {
        let b = range.count
        let w = input.cols
        precondition(input.rows == lookback * b && target.rows == b && cycles.allSatisfy { $0.width == w },
                     "window batch shape")
        for (lane, win) in windows[range].enumerated() {
            let cycle = cycles[win.cycle]
            cycle.features.withUnsafeBufferPointer { f in
                for t in 0..<lookback {
                    input.row(t * b + lane).update(from: f.baseAddress! + (win.start + t) * w, count: w)
                }
            }
            target.data[lane] = cycle.labels[win.start + lookback]
        }
    }
}

/// Streams whole cycles through `lanes` parallel lanes for stateful (many-to-many)
/// training and streaming evaluation.
///
/// Cycles are dealt to lanes in the given order, each to the lane with the fewest steps so
/// far; a lane plays its cycles back to back, with a state reset (`keep = 0`) at the first
/// step of each. The output after step `t` of a cycle is trained to predict the label of
/// step `t + 1` (the benchmark task's window target convention: inputs up to step n−1 predict SOC[n]).
/// Chunks of `chunkSteps` steps are the truncated-BPTT segments; state carries across them.
public struct StreamSchedule: Sendable {
    /// Lanes (batch width).
    public let lanes: Int
    /// Steps per chunk (truncated-BPTT length).
    public let chunkSteps: Int
    /// Per lane, the sequence of `(cycle index, step)` it plays.
    public private(set) var lanePlan: [[(cycle: Int, step: Int)]]

    /// Deals `order` (cycle indices into `cycles`) to lanes.
    public init(cycles: [ScaledCycle], order: [Int], lanes: Int, chunkSteps: Int) {
        precondition(lanes > 0 && chunkSteps > 0, "lanes and chunk length must be positive")
        self.lanes = lanes
        self.chunkSteps = chunkSteps
        var plan = [[(cycle: Int, step: Int)]](repeating: [], count: lanes)
        for c in order {
            let lane = plan.indices.min { plan[$0].count < plan[$1].count }!
            for s in 0..<cycles[c].count { plan[lane].append((c, s)) }
        }
        lanePlan = plan
    }

    /// Number of chunks needed to play the longest lane.
    public var chunkCount: Int {
        let longest = lanePlan.map(\.count).max() ?? 0
        return (longest + chunkSteps - 1) / chunkSteps
    }

    /// Fills chunk `k`: `input [T·B × width]`, `target [T·B × 1]` (label of the next step),
    /// `weight [T·B]` (1 where a next step exists, else 0) and `keep [T·B]`
    /// (0 at a cycle's first step and on padding).
    public func fill(chunk k: Int, from cycles: [ScaledCycle], input: Tensor, target: Tensor,
                     weight: Tensor, keep: Tensor) {
        let t0 = k * chunkSteps, b = lanes, w = input.cols
        precondition(input.rows == chunkSteps * b && target.rows == chunkSteps * b
                     && weight.count == chunkSteps * b && keep.count == chunkSteps * b, "stream chunk shape")
        for lane in 0..<b {
            let plan = lanePlan[lane]
            for t in 0..<chunkSteps {
                let r = t * b + lane, p = t0 + t
                if p < plan.count {
                    let (c, s) = plan[p]
                    let cycle = cycles[c]
                    cycle.features.withUnsafeBufferPointer { f in
                        input.row(r).update(from: f.baseAddress! + s * w, count: w)
                    }
                    keep.data[r] = s == 0 ? 0 : 1
                    if s + 1 < cycle.count {
                        target.data[r] = cycle.labels[s + 1]; weight.data[r] = 1
                    } else {
                        target.data[r] = 0; weight.data[r] = 0
                    }
                } else {
                    input.row(r).update(repeating: 0, count: w)
                    keep.data[r] = 0; target.data[r] = 0; weight.data[r] = 0
                }
            }
        }
    }

    /// `(cycle, step)` played at chunk `k`, row `t · B + lane`, or `nil` for padding.
    public func position(chunk k: Int, step t: Int, lane: Int) -> (cycle: Int, step: Int)? {
        let p = k * chunkSteps + t
        return p < lanePlan[lane].count ? lanePlan[lane][p] : nil
    }
}
