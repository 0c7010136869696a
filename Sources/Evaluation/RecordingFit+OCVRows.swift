import CellModel

extension RecordingFit {
    /// A rate-extrapolated OCV row per temperature cluster, for recordings at several
    /// temperatures with no OCV given and no slow test (drive-cycle or pulse logs only).
    ///
    /// One row pooled over every temperature reads a cold cell's rests against a warm cell's
    /// curve: a PyBaMM NMC's OCV at SOC 0.15 is 3.575 V at 0 °C and 3.511 V at 45 °C, so a
    /// rested 45 °C reading was taken 12 points low. Here each cluster of
    /// `options.resistanceTemperaturesC` (the fit's temperature grid, from the operations'
    /// median temperatures) gets its own `OCVIdentification.rateExtrapolated` row from the
    /// samples, loaded and settled, whose cell temperature lies between the midpoints to its
    /// neighbouring clusters. A node without data of its own cluster takes the pooled row
    /// shifted by the offset (cluster − pooled) interpolated linearly between the cluster's
    /// nearest nodes with data on either side, or held from the nearest one beyond them, so a
    /// cluster that saw only part of the SOC range keeps the pooled shape there. Each row is
    /// then made strictly increasing.
    ///
    /// Tried instead and not kept (development cells, `Docs/Results.md`, "Fitting from drive
    /// logs alone"): the pooled row shifted per cluster by its settled rests' offsets only — a
    /// drive log's settled rests are its start and end, and the offset interpolated between
    /// them missed the mid-SOC rows.
    ///
    /// Nil when the grid has one temperature, the pooled row cannot be made, or no cluster
    /// has two nodes with data of its own (the caller keeps the pooled one-row fit).
    static func rateExtrapolatedRows(_ segments: [IdentificationSegment], options: IdentificationOptions)
        -> (curve: OCVCurve, source: String)? {
        let centers = options.resistanceTemperaturesC
        let points = options.ocvSOCPoints
        guard centers.count >= 2,
              let (pooledCurve, _) = try? OCVIdentification.rateExtrapolated(
                  segments, socPoints: points, temperatureRangeC: options.ocvTemperatureRangeC,
                  signedCurrent: options.ocvSignedCurrent)
        else { return nil }
        let pooled = pooledCurve.table.values
        var rows: [(temperatureC: Double, voltageV: [Double])] = []
        var own: [Int] = []
        for (c, center) in centers.enumerated() {
            let lower = c == 0 ? options.ocvTemperatureRangeC.lowerBound : 0.5 * (centers[c - 1] + center)
            let upper = c == centers.count - 1 ? options.ocvTemperatureRangeC.upperBound : 0.5 * (center + centers[c + 1])
            var row = pooled
            var known: [Int] = []
            if lower < upper, let (_, nodes) = try? OCVIdentification.rateExtrapolated(
                segments, socPoints: points, temperatureRangeC: lower...upper, restTemperatureRangeC: lower...upper,
                rowTemperatureC: center, signedCurrent: options.ocvSignedCurrent) {
                known = nodes.indices.filter { nodes[$0].ocvV.isFinite }
                if known.count >= 2 {
                    let offset = { (i: Int) in nodes[i].ocvV - pooled[i] }
                    for i in row.indices {
                        let below = known.last { $0 <= i }, above = known.first { $0 >= i }
                        switch (below, above) {
                        case let (a?, b?) where a == b: row[i] = nodes[i].ocvV
                        case let (a?, b?):
                            let f = (points[i] - points[a]) / (points[b] - points[a])
                            row[i] = pooled[i] + offset(a) + f * (offset(b) - offset(a))
                        case let (a?, nil): row[i] = pooled[i] + offset(a)
                        case let (nil, b?): row[i] = pooled[i] + offset(b)
                        default: break
                        }
                    }
                    TheveninIdentification.makeStrictlyIncreasing(&row, minimumStepV: 1e-4)
                } else {
                    known = []
                }
            }
            rows.append((center, row))
            own.append(known.count)
        }
        guard own.contains(where: { $0 >= 2 }) else { return nil }
        let counts = zip(centers, own).map { "\($0) °C: \($1)" }.joined(separator: ", ")
        return (SlowTestOCV.curve(rows: rows, socPoints: points),
                "OCV: rate extrapolation (intercept of V over the signed current per SOC node) of the loaded samples and "
                    + "settled rests, one row per temperature cluster \(centers) °C (nodes with data of their own cluster: "
                    + "\(counts) of \(points.count); the others the pooled row shifted by the cluster's offset at its nearest nodes), "
                    + "made increasing (PAV), held fixed")
    }
}
