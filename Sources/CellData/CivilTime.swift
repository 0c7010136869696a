/// Converts NASA's local lab times (MATLAB date vectors, ISO 8601 text in the index) to
/// seconds since 1970-01-01 of the same local clock, rounded to 1 ms as in the index.
public enum CivilTime {
    /// Seconds for a proleptic-Gregorian date and time (no time zone: both sources use the
    /// same local clock, only differences are used).
    public static func seconds(year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Double) -> Double {
        // Days from civil (H. Hinnant's algorithm).
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let days = era * 146_097 + doe - 719_468
        let whole = Double(days * 86_400 + hour * 3600 + minute * 60)
        return ((whole + second) * 1000).rounded() / 1000
    }

    /// Seconds for a MATLAB date vector `[Y, M, D, h, m, s]`; `nil` unless it has 6 finite values.
    public static func seconds(dateVector v: [Double]) -> Double? {
        guard v.count == 6, v.allSatisfy(\.isFinite), (1...9999).contains(v[0]), (1...12).contains(v[1]),
              (1...31).contains(v[2]), (0...24).contains(v[3]), (0...60).contains(v[4]), (0...61).contains(v[5]) else { return nil }
        return seconds(year: Int(v[0]), month: Int(v[1]), day: Int(v[2]), hour: Int(v[3]), minute: Int(v[4]), second: v[5])
    }

    /// Seconds for `YYYY-MM-DDThh:mm:ss[.fff]`; `nil` when the text is not in that form.
    public static func seconds(iso text: Substring) -> Double? {
        let parts = text.split(whereSeparator: { "-T:".contains($0) })
        guard parts.count == 6, let y = Int(parts[0]), let mo = Int(parts[1]), let d = Int(parts[2]),
              let h = Int(parts[3]), let mi = Int(parts[4]), let s = Double(parts[5]), (1...9999).contains(y), (1...12).contains(mo),
              (1...31).contains(d), (0...24).contains(h), (0...60).contains(mi), (0...61).contains(s) else { return nil }
        return seconds(year: y, month: mo, day: d, hour: h, minute: mi, second: s)
    }
}
