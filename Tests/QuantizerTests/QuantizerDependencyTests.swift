import Foundation
import Testing

/// The import rule of Docs/Architecture.md that keeps `bmsim quantize` (post-training) and
/// `bmsim golden` free of BLAS: `Quantizer` and `FloatModel` reach neither OpenBLAS nor the
/// trainer, not even through another target. Read from the manifest itself
/// (`swift package dump-package`), so a dependency added in Package.swift fails here.
struct QuantizerDependencyTests {
    /// Targets that need BLAS or belong to training.
    static let trainingSide: Set<String> = ["COpenBLAS", "Trainer", "CTrainerKernels", "CFloatControl"]

    @Test(arguments: ["Quantizer", "FloatModel"])
    func targetReachesNeitherBLASNorTheTrainer(target: String) throws {
        let graph = try Self.targetGraph().targets
        #expect(graph[target] != nil, "no target \(target) in Package.swift")
        let reached = Self.transitiveDependencies(of: target, in: graph)
        #expect(reached.isDisjoint(with: Self.trainingSide),
                "\(target) reaches \(reached.intersection(Self.trainingSide).sorted())")
        #expect(reached.contains("QuantizedLSTM") || target == "FloatModel")   // the graph was read
    }

    @Test func theTrainerReachesBLASAndTheQuantizer() throws {
        let reached = Self.transitiveDependencies(of: "Trainer", in: try Self.targetGraph().targets)
        #expect(reached.isSuperset(of: ["COpenBLAS", "Quantizer", "FloatModel"]))
    }

    /// The library product that offers the quantizer links no BLAS either.
    @Test func theQuantizerProductReachesNeitherBLASNorTheTrainer() throws {
        let graph = try Self.targetGraph()
        let targets = try #require(graph.products["BMSimQuantizer"])
        #expect(targets.contains("Quantizer"))
        let reached = targets.reduce(into: Set(targets)) { $0.formUnion(Self.transitiveDependencies(of: $1, in: graph.targets)) }
        #expect(reached.isDisjoint(with: Self.trainingSide))
    }

    /// Every target of this package and the names it depends on (targets of this package,
    /// and products of others by product name), and every product's targets.
    static func targetGraph() throws -> (targets: [String: [String]], products: [String: [String]]) {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        // A scratch path of its own: `swift test` holds the lock of .build, and a
        // `swift package` on the same scratch path would wait for it forever.
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("bmsim-dump-package-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["swift", "package", "--scratch-path", scratch.path, "dump-package", "--package-path", root.path]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let json = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "swift package dump-package failed")
        let manifest = try JSONDecoder().decode(Manifest.self, from: json)
        var graph: [String: [String]] = [:]
        for target in manifest.targets {
            graph[target.name] = target.dependencies.compactMap(\.name)
        }
        return (graph, Dictionary(manifest.products.map { ($0.name, $0.targets) }, uniquingKeysWith: { a, _ in a }))
    }

    /// Names reachable from `target` (not including it).
    static func transitiveDependencies(of target: String, in graph: [String: [String]]) -> Set<String> {
        var reached: Set<String> = [], pending = graph[target] ?? []
        while let name = pending.popLast() {
            guard reached.insert(name).inserted else { continue }
            pending += graph[name] ?? []
        }
        return reached
    }

    /// The part of `dump-package`'s JSON read here.
    struct Manifest: Decodable {
        struct Target: Decodable {
            var name: String
            var dependencies: [Dependency]
        }
        /// `{"byName": [name, condition]}`, `{"target": [...]}` or `{"product": [name, package, …]}`.
        struct Dependency: Decodable {
            var name: String?
            init(from decoder: any Decoder) throws {
                let container = try decoder.container(keyedBy: AnyKey.self)
                guard let key = container.allKeys.first else { return }
                var fields = try container.nestedUnkeyedContainer(forKey: key)
                name = try fields.decodeIfPresent(String.self)
            }
        }
        struct AnyKey: CodingKey {
            var stringValue: String
            var intValue: Int? { nil }
            init(stringValue: String) { self.stringValue = stringValue }
            init?(intValue: Int) { nil }
        }
        struct Product: Decodable {
            var name: String
            var targets: [String]
        }
        var targets: [Target]
        var products: [Product]
    }
}
