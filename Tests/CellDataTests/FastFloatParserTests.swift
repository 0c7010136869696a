import BMSCore
import Foundation
import Testing
@testable import CellData

/// The parser against Swift's own correctly rounded `Double(String)` (an independent
/// implementation) on random decimal strings of the shapes found in the CSVs and beyond.
@Suite struct FastFloatParserTests {
    @Test func matchesTheStandardLibraryOnRandomDecimals() {
        var rng = SeededGenerator(seed: 99)
        for _ in 0..<200_000 {
            var text = rng.next() % 2 == 0 ? "-" : ""
            let intDigits = Int(rng.next() % 6)
            let fracDigits = Int(rng.next() % 20)
            for _ in 0..<max(1, intDigits) { text += String(rng.next() % 10) }
            if fracDigits > 0 {
                text += "."
                for _ in 0..<fracDigits { text += String(rng.next() % 10) }
            }
            if rng.next() % 5 == 0 { text += "e" + String(Int(rng.next() % 80) - 40) }
            let expected = Double(text)!
            let parsed = FastFloatParser.parse(text)
            #expect(parsed?.bitPattern == expected.bitPattern, "\(text)")
            if parsed?.bitPattern != expected.bitPattern { return }
        }
    }

    @Test func specialValuesAndRejections() {
        #expect(FastFloatParser.parse("NaN")?.isNaN == true)
        #expect(FastFloatParser.parse("-0")?.sign == .minus)
        #expect(FastFloatParser.parse("9007199254740993") == 9007199254740992)   // 2^53 + 1 rounds to even
        #expect(FastFloatParser.parse("1.8564874208181574") == 1.8564874208181574)
        #expect(FastFloatParser.parse(".5") == 0.5)
        #expect(FastFloatParser.parse("5.") == 5)
        for bad in ["", "-", "4.1x", "1e", "1e+", "abc", "1,5", "--1", "."] {
            #expect(FastFloatParser.parse(bad) == nil, "'\(bad)' should be rejected")
        }
    }
}
