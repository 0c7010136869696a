import ArgumentParser
import Testing
@testable import bmsim

/// One command-line scheme (issue 17, part 2): every command parses its options under the
/// shared names, still accepts the old spellings, and `--help` shows only the new ones.
@Suite("bmsim option names")
struct OptionSchemeTests {
    /// A command's arguments under the new names and under the old ones (hidden aliases).
    struct Spelling: CustomTestStringConvertible, Sendable {
        var command: [String]
        var new: [String]
        var old: [String]
        /// Old option names that must not appear in the command's `--help`.
        var hidden: [String]
        var testDescription: String { command.joined(separator: " ") }
    }

    static let spellings: [Spelling] = [
        Spelling(command: ["classical-eval"],
                 new: ["--data", "/d", "--cell-model", "m.json", "--cells", "test", "--estimators", "ekf,ah", "--initial-soc=-0.2"],
                 old: ["/d", "--model", "m.json", "--methods", "ekf-1rc,ah", "--initial=-0.2"],
                 hidden: ["--model", "--methods", "--initial"]),
        Spelling(command: ["fit"], new: ["--data", "/d", "--cells", "B0005,validation"], old: ["/d", "--cells", "B0005,validation"],
                 hidden: []),
        Spelling(command: ["quantize"], new: ["m.json", "--data", "/d", "--cells", "train", "--out", "m.bmsq"],
                 old: ["m.json", "--calibration", "/d", "--out", "m.bmsq"], hidden: ["--calibration"]),
        Spelling(command: ["evaluate"], new: ["m.json", "--data", "/d", "--cells", "B0039", "--format", "json"],
                 old: ["m.json", "--data", "/d", "--cells", "B0039"], hidden: []),
        Spelling(command: ["train"], new: ["--data", "/d", "--out", "m.json", "--quiet"], old: ["--data", "/d", "--out", "m.json"],
                 hidden: []),
        Spelling(command: ["data", "summary"], new: ["/d", "--cells", "B0005", "--format", "csv"],
                 old: ["/d", "--cell", "B0005", "--format", "text"], hidden: ["--cell"]),
        Spelling(command: ["data", "export"], new: ["/d", "--cells", "B0005", "--max-gap", "60", "--out", "x.csv"],
                 old: ["/d", "--cell", "B0005", "--max-gap-s", "60", "--out", "x.csv"], hidden: ["--cell", "--max-gap-s"]),
        Spelling(command: ["data", "grid"], new: ["/d", "--cells", "train", "--dt", "10", "--out", "g.csv"],
                 old: ["/d", "--cells", "train", "--dt-s", "10", "--out", "g.csv"], hidden: ["--dt-s"]),
        Spelling(command: ["estimator-bench"], new: ["--cell-model", "m.json", "--format", "json"], old: ["--model", "m.json"],
                 hidden: ["--model"]),
        Spelling(command: ["simulate"], new: ["--cell-model", "m.json", "--dt", "1", "--out", "s.csv"],
                 old: ["--model", "m.json", "--dt", "1", "--out", "s.csv"], hidden: ["--model"]),
        Spelling(command: ["bench-lstm"], new: ["--lstm-model", "b.bmsq"], old: ["--blob", "b.bmsq"], hidden: ["--blob"]),
        Spelling(command: ["soak"], new: ["--estimators", "ah,ekf", "--quiet"], old: ["--estimators", "ah,ekf"], hidden: []),
        Spelling(command: ["replay"], new: ["--cells", "test", "--estimators", "ekf", "--cell-model", "c.json", "--lstm-model", "b.bmsq",
                                            "--format", "json"], old: [], hidden: []),
        Spelling(command: ["compare"], new: ["--cells", "B0005", "--estimators", "ah", "--format", "csv"], old: [], hidden: []),
        Spelling(command: ["inspect"], new: ["b.bmsq", "--format", "csv"], old: ["b.bmsq", "--format", "text"], hidden: []),
    ]

    @Test("new names and old aliases both parse", arguments: spellings)
    func parses(_ spelling: Spelling) throws {
        _ = try BMSim.parseAsRoot(spelling.command + spelling.new)
        if !spelling.old.isEmpty { _ = try BMSim.parseAsRoot(spelling.command + spelling.old) }
    }

    @Test("the old spellings are not in --help", arguments: spellings)
    func aliasesHidden(_ spelling: Spelling) throws {
        let help = BMSim.helpMessage(for: try Self.commandType(spelling.command))
        let words = Set(help.split(whereSeparator: { $0.isWhitespace || $0 == "[" || $0 == "]" || $0 == "," || $0 == "=" })
            .map(String.init))
        for name in spelling.hidden { #expect(!words.contains(name), "\(spelling.command) --help shows \(name)") }
        #expect(!help.contains("(default: ") || !help.components(separatedBy: "\n").contains { $0.components(separatedBy: "(default").count > 2 })
    }

    @Test("giving the new and the old spelling together is refused")
    func bothSpellings() {
        #expect(throws: (any Error).self) {
            try BMSim.parseAsRoot(["classical-eval", "/e", "--data", "/d", "--cell-model", "m.json"])
        }
        #expect(throws: (any Error).self) { try BMSim.parseAsRoot(["estimator-bench", "--model", "a", "--cell-model", "b"]) }
        #expect(throws: (any Error).self) { try BMSim.parseAsRoot(["data", "export", "/d", "--cell", "a", "--cells", "b", "--out", "x"]) }
    }

    @Test("typed options: cells, estimators, initial SOC, format")
    func typedValues() throws {
        #expect(CellSelection(argument: "test")?.cells == ["B0039", "B0043", "B0044", "B0047", "B0053"])
        #expect(CellSelection(argument: "B0005, validation,B0005")?.cells == ["B0005", "B0007", "B0028", "B0031", "B0034"])
        #expect(CellSelection(argument: "B0005")?.singleCell == "B0005" && CellSelection(argument: "test")?.singleCell == nil)
        for bad in ["", ",", "B 5", "a;b"] { #expect(CellSelection(argument: bad) == nil, "\(bad)") }
        #expect(CellSelection(argument: "25C/udds-100.csv")?.singleCell == "25C/udds-100.csv")   // a recording of a dataset
        #expect(EstimatorList(argument: "ekf, ukf-2rc,ah")?.kinds() == [.ekf1RC, .ukf2RC, .ah])
        #expect(EstimatorList(argument: "ekf")?.names == ["ekf"])
        for bad in ["", "kalman", "ah,ekf-9rc"] { #expect(EstimatorList(argument: bad) == nil, "\(bad)") }
        #expect(InitialSOC(argument: "rested") == .rested && InitialSOC(argument: "-0.2") == .offset(-0.2))
        for bad in ["soon", "nan", "5", "inf"] { #expect(InitialSOC(argument: bad) == nil, "\(bad)") }
        #expect(OutputFormat(argument: "text") == .table && OutputFormat(argument: "csv") == .csv && OutputFormat(argument: "xml") == nil)
        let command = try #require(try BMSim.parseAsRoot(["classical-eval", "--data", "/d", "--cell-model", "m",
                                                          "--estimators", "ekf,ah"]) as? ClassicalEvalCommand)
        #expect(command.estimators.kinds() == [.ekf1RC, .ah] && command.initialSOC == .rested && command.cells.cells.count == 5)
        do {
            _ = try BMSim.parseAsRoot(["replay", "--estimators", "ah,kalman"])
            Issue.record("an unknown estimator was accepted")
        } catch {
            #expect(BMSim.message(for: error).contains("unknown estimator 'kalman'"))
        }
        // Since issue 16 part 4 classical-eval runs lstm and ekf+lstm too (FusionOptionTests).
        #expect(throws: Never.self) { try BMSim.parseAsRoot(["classical-eval", "--data", "/d", "--cell-model", "m", "--estimators", "lstm,ekf+lstm"]) }
        #expect(throws: (any Error).self) { try BMSim.parseAsRoot(["data", "export", "/d", "--cells", "train", "--out", "x"]) }
        #expect(throws: (any Error).self) { try BMSim.parseAsRoot(["quantize", "m.json", "--data", "/d", "--out", "m.bmsq", "--format", "json", "--worst", "2"]) }
    }

    /// The subcommand type at `path`.
    static func commandType(_ path: [String]) throws -> any ParsableCommand.Type {
        var type: any ParsableCommand.Type = BMSim.self
        for name in path {
            type = try #require(type.configuration.subcommands.first { $0.configuration.commandName == name }, "\(name)")
        }
        return type
    }
}
