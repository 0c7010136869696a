// swift-tools-version:6.0
// BMSim — the firmware of a battery-management system, run on a desktop against
// recorded lithium-ion cells. Module layout and import rules: Docs/Architecture.md.
import PackageDescription

let package = Package(
    name: "BMSim",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "bmsim", targets: ["bmsim"]),
        .library(name: "BMSimKit", targets: [
            "BMSCore", "FixedPoint", "WeightBlob", "CellData", "CellModel",
            "QuantizedLSTM", "Estimators", "Evaluation", "Firmware", "Replay", "Trainer",
        ]),
        .library(name: "CBMSRuntime", targets: ["CBMSRuntime"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-numerics", from: "1.0.0"),
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.0"),
    ],
    targets: [
        // System libraries (Debian: zlib1g-dev, libopenblas-dev).
        .systemLibrary(name: "CZlib", path: "Sources/CZlib",
                       providers: [.apt(["zlib1g-dev"])]),
        // libdeflate-dev: one-shot inflate of miCOMPRESSED MAT elements whose size is known.
        .systemLibrary(name: "CLibDeflate", path: "Sources/CLibDeflate",
                       providers: [.apt(["libdeflate-dev"])]),
        .systemLibrary(name: "COpenBLAS", path: "Sources/COpenBLAS", pkgConfig: "openblas",
                       providers: [.apt(["libopenblas-dev"])]),
        // Tiny C helper: FTZ/DAZ (flush denormals) for the float trainer.
        .target(name: "CFloatControl", path: "Sources/CFloatControl"),
        // Fused LSTM step kernels (portable, AVX2, AVX-512; chosen at run time) for the trainer.
        .target(name: "CTrainerKernels", path: "Sources/CTrainerKernels",
                cSettings: [.unsafeFlags(["-std=c99", "-O3"])]),

        // Firmware side: one sample per tick, no files, no per-tick allocation.
        .target(name: "BMSCore", dependencies: [.product(name: "RealModule", package: "swift-numerics")]),
        .target(name: "FixedPoint", dependencies: ["BMSCore"]),
        .target(name: "WeightBlob", dependencies: ["BMSCore"]),
        .target(name: "QuantizedLSTM", dependencies: ["FixedPoint", "WeightBlob", "BMSCore"]),
        .target(name: "CellModel", dependencies: ["BMSCore", .product(name: "RealModule", package: "swift-numerics")]),
        .target(name: "Estimators", dependencies: ["CellModel", "QuantizedLSTM", "BMSCore", .product(name: "RealModule", package: "swift-numerics")]),
        .target(name: "Firmware", dependencies: ["Estimators", "BMSCore", .product(name: "RealModule", package: "swift-numerics")]),
        .target(name: "CBMSRuntime", path: "Sources/CBMSRuntime",
                cSettings: [.unsafeFlags(["-std=c99"])]),

        // Desktop side: files, training, reports.
        .target(name: "CellData", dependencies: ["BMSCore", "CZlib", "CLibDeflate"], exclude: ["README.md"]),
        .target(name: "Replay", dependencies: ["Firmware", "CellData", "CellModel"]),
        // The discharge-only protocol as a library (classical-eval prints its typed report).
        .target(name: "Evaluation", dependencies: ["BMSCore", "CellData", "CellModel", "Estimators"]),
        .target(name: "Trainer", dependencies: [
            "COpenBLAS", "CFloatControl", "CTrainerKernels", "BMSCore", "CellData", "FixedPoint", "WeightBlob", "QuantizedLSTM",
            .product(name: "RealModule", package: "swift-numerics"),
        ]),
        .executableTarget(name: "bmsim", dependencies: [
            "BMSCore", "CellData", "CellModel", "Estimators", "Evaluation", "Firmware", "Replay", "Trainer",
            "WeightBlob", "QuantizedLSTM", "CBMSRuntime",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // Tests (Swift Testing). Real NASA data is found through BMSIM_DATA.
        .target(name: "TestSupport", dependencies: ["BMSCore"], path: "Tests/TestSupport"),
        .testTarget(name: "BMSCoreTests", dependencies: ["BMSCore", "TestSupport",
            .product(name: "PropertyBased", package: "swift-property-based")]),
        .testTarget(name: "FixedPointTests", dependencies: ["FixedPoint", "TestSupport",
            .product(name: "PropertyBased", package: "swift-property-based")]),
        .testTarget(name: "WeightBlobTests", dependencies: ["WeightBlob", "TestSupport"]),
        .testTarget(name: "QuantizedLSTMTests", dependencies: ["QuantizedLSTM", "CBMSRuntime", "TestSupport"]),
        .testTarget(name: "CellDataTests", dependencies: ["CellData", "TestSupport"]),
        .testTarget(name: "CellModelTests", dependencies: ["CellModel", "CellData", "TestSupport"]),
        .testTarget(name: "EstimatorsTests", dependencies: ["Estimators", "CellModel", "CellData", "TestSupport",
            .product(name: "PropertyBased", package: "swift-property-based")]),
        .testTarget(name: "FirmwareTests", dependencies: ["Firmware", "Estimators", "TestSupport"]),
        .testTarget(name: "ReplayTests", dependencies: ["Replay", "TestSupport"]),
        .testTarget(name: "EvaluationTests", dependencies: ["Evaluation", "Replay", "Estimators", "CellData", "CellModel", "TestSupport"]),
        .testTarget(name: "TrainerTests", dependencies: ["Trainer", "BMSCore", "CellData", "QuantizedLSTM", "TestSupport"]),
        .testTarget(name: "bmsimTests", dependencies: ["bmsim", "Trainer", "TestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
