import BMSCore
import Foundation
import Testing
import TestSupport
@testable import CellData

private var matFolder: URL? { SharedData.nasa?.appendingPathComponent("mat") }

@Suite struct MATReaderRealDataTests {
    @Test(.enabled(if: SharedData.available))
    func compressedAndUncompressedGiveTheSameArrays() throws {
        let compressed = try MATReader.read(path: matFolder!.appendingPathComponent("B0025.mat").path)
        let plain = try MATReader.read(path: matFolder!.appendingPathComponent("B0025_uncompressed.mat").path)
        #expect(compressed.variables.map(\.name) == ["B0025"])
        #expect(plain.variables.map(\.name) == ["B0025"])
        #expect(firstDifference(compressed.variables[0].value, plain.variables[0].value) == nil)
        let cycles = try #require(compressed.variable("B0025")?.structure?.field("cycle")?.structure)
        #expect(cycles.dimensions == [1, 80])
        #expect(cycles.field("type", element: 0)?.text == "impedance")
        let impedance = try #require(cycles.field("data", element: 0)?.structure?.field("Battery_impedance")?.numeric)
        #expect(impedance.dimensions == [48, 1])
        #expect(impedance.imaginary?.count == 48)
    }
}
