// swift-tools-version:6.2
// BMSim — the firmware of a battery-management system, run on a desktop against
// recorded lithium-ion cells. Module layout and import rules: Docs/Architecture.md.
//
// Tools version 6.2: from SwiftPM 6.2 on, a package that declares 6.2 or later may keep
// `unsafeFlags` and still be a dependency by version (CTrainerKernels keeps `-O3`, below).
// Platforms: built and tested on Linux (x86-64, Debian, Swift 6.2 and later) only. No
// Apple platform is declared because BMSim has never been built on one.
import PackageDescription

let package = Package(
    name: "BMSim",
    products: [
        .executable(name: "bmsim", targets: ["bmsim"]),
        // Every library target. Trainer needs OpenBLAS, CellData zlib and libdeflate.
        .library(name: "BMSimKit", targets: [
            "BMSCore", "FixedPoint", "WeightBlob", "CellData", "CellModel",
            "QuantizedLSTM", "Estimators", "Evaluation", "Firmware", "Replay", "FloatModel", "Quantizer", "Trainer",
        ]),
        // Post-training quantization of a float model file into a blob: no OpenBLAS (CellData
        // brings zlib and libdeflate).
        .library(name: "BMSimQuantizer", targets: [
            "BMSCore", "FixedPoint", "WeightBlob", "QuantizedLSTM", "CellData", "FloatModel", "Quantizer",
        ]),
        // The firmware side alone (estimators, fixed-point LSTM, BMS loop): no system library.
        .library(name: "BMSimFirmware", targets: [
            "BMSCore", "FixedPoint", "WeightBlob", "QuantizedLSTM", "CellModel", "Estimators", "Firmware",
        ]),
        .library(name: "CBMSRuntime", targets: ["CBMSRuntime"]),
        // The firmware SOC estimators in C99 (Ah counter, 1RC EKF, LSTM wrapper): Docs/CEstimators.md.
        .library(name: "CBMSSoc", targets: ["CBMSSoc", "CBMSRuntime"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-numerics", from: "1.0.0"),
        // Test targets only: no product's target depends on it, so a package that depends on
        // BMSim does not fetch it (`swift package show-dependencies` in Examples/swiftpm-consumer).
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
        // -O3 in every build configuration: the default AVX-512 kernel trains at ≈ 1.8 CPU-s per
        // tutorial epoch with it and ≈ 2.2 with SwiftPM's release -O2, same losses
        // (Docs/Performance.md, "Training: fused LSTM step kernels").
        .target(name: "CTrainerKernels", path: "Sources/CTrainerKernels",
                cSettings: [.unsafeFlags(["-O3"])]),

        // Firmware side: one sample per tick, no files, no per-tick allocation.
        .target(name: "BMSCore", dependencies: [.product(name: "RealModule", package: "swift-numerics")]),
        .target(name: "FixedPoint", dependencies: ["BMSCore"]),
        .target(name: "WeightBlob", dependencies: ["BMSCore", "FixedPoint"]),
        .target(name: "QuantizedLSTM", dependencies: ["FixedPoint", "WeightBlob", "BMSCore"]),
        .target(name: "CellModel", dependencies: ["BMSCore", .product(name: "RealModule", package: "swift-numerics")]),
        .target(name: "Estimators", dependencies: ["CellModel", "QuantizedLSTM", "BMSCore", .product(name: "RealModule", package: "swift-numerics")]),
        .target(name: "Firmware", dependencies: ["Estimators", "BMSCore", .product(name: "RealModule", package: "swift-numerics")]),
        .target(name: "CBMSRuntime", path: "Sources/CBMSRuntime"),
        .target(name: "CBMSSoc", dependencies: ["CBMSRuntime"], path: "Sources/CBMSSoc"),

        // Desktop side: files, training, reports.
        .target(name: "CellData", dependencies: ["BMSCore", "CZlib", "CLibDeflate"], exclude: ["README.md"]),
        .target(name: "Replay", dependencies: ["Firmware", "CellData", "CellModel"]),
        // The discharge-only protocol as a library (classical-eval prints its typed report).
        .target(name: "Evaluation", dependencies: ["BMSCore", "CellData", "CellModel", "Estimators", "WeightBlob"]),
        // The float model file (`bmsim train` writes it, `quantize` and `evaluate` read it): no BLAS.
        .target(name: "FloatModel", dependencies: ["BMSCore", "CellData"]),
        // Post-training quantization, its diagnosis and the float-vs-int8 comparison: no BLAS,
        // no Trainer (`bmsim quantize` without --qat and `bmsim golden`; QuantizerDependencyTests).
        .target(name: "Quantizer", dependencies: ["BMSCore", "CellData", "FixedPoint", "FloatModel", "QuantizedLSTM", "WeightBlob"]),
        .target(name: "Trainer", dependencies: [
            "COpenBLAS", "CFloatControl", "CTrainerKernels", "BMSCore", "CellData", "FixedPoint", "WeightBlob", "QuantizedLSTM",
            "FloatModel", "Quantizer",
            .product(name: "RealModule", package: "swift-numerics"),
        ]),
        .executableTarget(name: "bmsim", dependencies: [
            "BMSCore", "CellData", "CellModel", "Estimators", "Evaluation", "Firmware", "FloatModel", "Quantizer", "Replay", "Trainer",
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
        // Firmware: the C auto-zero (bms_current_offset_*) against CurrentOffsetLearner.
        .testTarget(name: "EstimatorsTests", dependencies: ["Estimators", "CellModel", "CellData", "TestSupport",
            "CBMSSoc", "CBMSRuntime", "WeightBlob", "QuantizedLSTM", "Firmware",
            .product(name: "PropertyBased", package: "swift-property-based")]),
        .testTarget(name: "FirmwareTests", dependencies: ["Firmware", "Estimators", "TestSupport"]),
        .testTarget(name: "ReplayTests", dependencies: ["Replay", "TestSupport"]),
        .testTarget(name: "EvaluationTests", dependencies: ["Evaluation", "Replay", "Estimators", "CellData", "CellModel", "TestSupport",
                                                            "WeightBlob"]),
        .testTarget(name: "QuantizerTests", dependencies: ["Quantizer", "FloatModel", "BMSCore", "CellData", "QuantizedLSTM",
                                                           "WeightBlob", "TestSupport"]),
        .testTarget(name: "TrainerTests", dependencies: ["Trainer", "FloatModel", "Quantizer", "BMSCore", "CellData", "QuantizedLSTM", "TestSupport"]),
        .testTarget(name: "bmsimTests", dependencies: ["bmsim", "Trainer", "FloatModel", "Quantizer", "TestSupport"]),
    ],
    swiftLanguageModes: [.v6],
    // Every C target (CBMSRuntime, CBMSSoc, CTrainerKernels, CFloatControl) is plain C99.
    cLanguageStandard: .c99
)
