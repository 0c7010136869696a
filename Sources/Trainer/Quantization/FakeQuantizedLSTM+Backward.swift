extension FakeQuantizedLSTM {
    /// BPTT through the recorded values with the effective (dequantized) weights.
    func backward(_ tape: Tape, dSoc: [Double]) -> [[Double]] {
        let steps = dSoc.count
        var gradient = effective.map { [Double](repeating: 0, count: $0.count) }
        let firstDense = 3 * model.lstmLayers.count
        // ∂loss/∂(last dense output, real units).
        var dOut = dSoc.map { $0 * (model.outputMax - model.outputMin) }
        for d in model.denseLayers.indices.reversed() {
            let layer = model.denseLayers[d]
            let i = layer.inputSize, o = layer.outputSize
            let wIndex = firstDense + 2 * d
            let w = effective[wIndex]
            var dIn = [Double](repeating: 0, count: steps * i)
            for t in 0..<steps {
                for r in 0..<o {
                    let dz = dOut[t * o + r] * tape.densePass[d][t * o + r]
                    if dz == 0 { continue }
                    gradient[wIndex + 1][r] += dz
                    for j in 0..<i {
                        gradient[wIndex][r * i + j] += dz * tape.denseInput[d][t * i + j]
                        dIn[t * i + j] += dz * w[r * i + j]
                    }
                }
            }
            dOut = dIn
        }
        for l in model.lstmLayers.indices.reversed() {
            let layer = model.lstmLayers[l]
            let i = layer.inputSize, h = layer.hiddenSize, rows = 4 * h
            let p = 3 * l
            let wx = effective[p], wh = effective[p + 1]
            var dhNext = [Double](repeating: 0, count: h), dcNext = dhNext
            var dz = [Double](repeating: 0, count: rows)
            var dIn = [Double](repeating: 0, count: l > 0 ? steps * i : 0)
            for t in stride(from: steps - 1, through: 0, by: -1) {
                let g4 = t * rows
                for j in 0..<h {
                    let gi = tape.gates[l][g4 + j], gf = tape.gates[l][g4 + h + j]
                    let gg = tape.gates[l][g4 + 2 * h + j], go = tape.gates[l][g4 + 3 * h + j]
                    let tc = tape.tanhCell[l][t * h + j]
                    let dh = dOut[t * h + j] + dhNext[j]
                    let dc = (dcNext[j] + dh * go * (1 - tc * tc)) * tape.cellPass[l][t * h + j]
                    dz[j] = dc * gg * gi * (1 - gi)
                    dz[h + j] = dc * tape.cPrev[l][t * h + j] * gf * (1 - gf)
                    dz[2 * h + j] = dc * gi * (1 - gg * gg)
                    dz[3 * h + j] = dh * tc * go * (1 - go)
                    dcNext[j] = dc * gf
                }
                for j in 0..<h { dhNext[j] = 0 }
                for r in 0..<rows {
                    let g = dz[r]
                    if g == 0 { continue }
                    gradient[p + 2][r] += g
                    for j in 0..<i { gradient[p][r * i + j] += g * tape.lstmInput[l][t * i + j] }
                    for j in 0..<h {
                        gradient[p + 1][r * h + j] += g * tape.hPrev[l][t * h + j]
                        dhNext[j] += g * wh[r * h + j]
                    }
                    if l > 0 { for j in 0..<i { dIn[t * i + j] += g * wx[r * i + j] } }
                }
            }
            dOut = dIn
        }
        return gradient
    }
}
