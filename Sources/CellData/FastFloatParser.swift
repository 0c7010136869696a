import Foundation

/// Parses decimal numbers from bytes, correctly rounded.
///
/// Hand-written because the CSV readers parse ~15 million numbers for the NASA data and
/// `Double(String)` would need a `String` per field. Fast path (Clinger 1990): when the
/// decimal significand has at most 19 digits and fits in 53 bits and the power of ten is
/// at most 22, `m × 10^e` (or `m / 10^-e`) is one correctly rounded IEEE operation on two
/// exact doubles, so the result is the correctly rounded value. Everything else (long
/// significands such as 1.8564874208181574, large exponents, `NaN`, `inf`) falls back to
/// C's `strtod`, which rounds correctly in glibc.
///
/// ```swift
/// FastFloatParser.parse("4.19683")   // 4.19683
/// FastFloatParser.parse("-3.2e-1")   // -0.32
/// FastFloatParser.parse("4.1x")      // nil
/// ```
public enum FastFloatParser {
    @usableFromInline static let powersOfTen: [Double] = (0...22).map { pow(10.0, Double($0)) }

    /// Parses the whole of `text`; `nil` unless it is one complete number.
    public static func parse(_ text: String) -> Double? {
        var copy = Array(text.utf8)
        return copy.withUnsafeMutableBufferPointer { buf in
            guard let base = buf.baseAddress else { return nil }
            return parse(UnsafePointer(base), count: buf.count)
        }
    }

    /// Parses the `count` bytes at `start`; `nil` unless they are one complete number.
    @inlinable
    public static func parse(_ start: UnsafePointer<UInt8>, count: Int) -> Double? {
        var i = 0
        var negative = false
        if i < count && (start[i] == UInt8(ascii: "-") || start[i] == UInt8(ascii: "+")) {
            negative = start[i] == UInt8(ascii: "-")
            i += 1
        }
        var mantissa: UInt64 = 0
        var digits = 0            // significant digits accumulated (leading zeros excluded)
        var exponent = 0          // decimal exponent adjustment
        var sawDigit = false
        while i < count, case let d = start[i] &- 48, d < 10 {
            sawDigit = true
            if mantissa != 0 || d != 0 { digits += 1 }
            if digits <= 19 { mantissa = mantissa &* 10 &+ UInt64(d) } else { exponent += 1 }
            i += 1
        }
        if i < count && start[i] == UInt8(ascii: ".") {
            i += 1
            while i < count, case let d = start[i] &- 48, d < 10 {
                sawDigit = true
                if mantissa != 0 || d != 0 { digits += 1 }
                if digits <= 19 { mantissa = mantissa &* 10 &+ UInt64(d); exponent -= 1 }
                i += 1
            }
        }
        guard sawDigit else { return slowPath(start, count: count) }
        if i < count && (start[i] == UInt8(ascii: "e") || start[i] == UInt8(ascii: "E")) {
            i += 1
            var expNegative = false
            if i < count && (start[i] == UInt8(ascii: "-") || start[i] == UInt8(ascii: "+")) {
                expNegative = start[i] == UInt8(ascii: "-")
                i += 1
            }
            var e = 0
            var sawExpDigit = false
            while i < count, case let d = start[i] &- 48, d < 10 {
                sawExpDigit = true
                if e < 100_000 { e = e * 10 + Int(d) }
                i += 1
            }
            guard sawExpDigit else { return nil }
            exponent += expNegative ? -e : e
        }
        guard i == count else { return nil }
        if digits <= 19 && mantissa <= (1 << 53) && exponent >= -22 && exponent <= 22 {
            var value = Double(mantissa)
            if exponent < 0 { value /= powersOfTen[-exponent] } else { value *= powersOfTen[exponent] }
            return negative ? -value : value
        }
        return slowPath(start, count: count)
    }

    /// `strtod` on a NUL-terminated copy; `nil` unless it consumes every byte.
    @usableFromInline
    static func slowPath(_ start: UnsafePointer<UInt8>, count: Int) -> Double? {
        guard count > 0, count < 512 else { return nil }
        return withUnsafeTemporaryAllocation(of: CChar.self, capacity: count + 1) { buf -> Double? in
            for k in 0..<count { buf[k] = CChar(bitPattern: start[k]) }
            buf[count] = 0
            var end: UnsafeMutablePointer<CChar>?
            let value = strtod(buf.baseAddress!, &end)
            guard let end, end - buf.baseAddress! == count else { return nil }
            return value
        }
    }
}
