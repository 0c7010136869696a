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
    /// 10^k for 0 ≤ k ≤ 22, all exactly representable (a switch avoids a lazily initialised global).
    @inlinable @inline(__always)
    static func powerOfTen(_ k: Int) -> Double {
        switch k {
        case 0: return 1e0
        case 1: return 1e1
        case 2: return 1e2
        case 3: return 1e3
        case 4: return 1e4
        case 5: return 1e5
        case 6: return 1e6
        case 7: return 1e7
        case 8: return 1e8
        case 9: return 1e9
        case 10: return 1e10
        case 11: return 1e11
        case 12: return 1e12
        case 13: return 1e13
        case 14: return 1e14
        case 15: return 1e15
        case 16: return 1e16
        case 17: return 1e17
        case 18: return 1e18
        case 19: return 1e19
        case 20: return 1e20
        case 21: return 1e21
        default: return 1e22
        }
    }

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
        if let (value, length) = parsePrefix(start, limit: count), length == count { return value }
        return slowPath(start, count: count)
    }

    /// Fast path only: parses the longest number starting at `start` (at most `limit` bytes)
    /// and returns it with the bytes consumed, or `nil` when the fast path does not apply
    /// (no digits, more than 19 significant digits, a mantissa above 2^53, |exponent| > 22,
    /// a malformed exponent). Callers fall back to `parse(_:count:)` for the whole field.
    @inlinable @inline(__always)
    public static func parsePrefix(_ start: UnsafePointer<UInt8>, limit count: Int) -> (Double, Int)? {
        var i = 0
        var negative = false
        if i < count && (start[i] == UInt8(ascii: "-") || start[i] == UInt8(ascii: "+")) {
            negative = start[i] == UInt8(ascii: "-")
            i += 1
        }
        // Up to 19 digit characters (leading zeros included) always fit in 64 bits, so the
        // loops accumulate without checks; longer numbers go to the slow path.
        var mantissa: UInt64 = 0
        let integerStart = i
        while i < count, case let d = start[i] &- 48, d < 10 {
            mantissa = mantissa &* 10 &+ UInt64(d)
            i += 1
        }
        var digits = i - integerStart
        var exponent = 0          // decimal exponent adjustment
        if i < count && start[i] == UInt8(ascii: ".") {
            i += 1
            let fractionStart = i
            while i < count, case let d = start[i] &- 48, d < 10 {
                mantissa = mantissa &* 10 &+ UInt64(d)
                i += 1
            }
            exponent = fractionStart - i
            digits -= exponent
        }
        guard digits > 0 && digits <= 19 else { return nil }
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
        guard mantissa <= (1 << 53) && exponent >= -22 && exponent <= 22 else { return nil }
        var value = Double(mantissa)
        if exponent < 0 { value /= powerOfTen(-exponent) } else { value *= powerOfTen(exponent) }
        return (negative ? -value : value, i)
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
