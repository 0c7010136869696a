// swift-tools-version:6.2
// A package that uses BMSim as a dependency: here by path, so that CI builds it against the
// checkout it sits in. README.md shows the by-version form for a package of your own.
import PackageDescription

let package = Package(
    name: "swiftpm-consumer",
    dependencies: [
        // `name:` because a path dependency is otherwise named after its folder.
        .package(name: "BMSim", path: "../.."),
    ],
    targets: [
        .executableTarget(name: "SOCDemo", dependencies: [
            .product(name: "BMSimFirmware", package: "BMSim"),
        ]),
    ],
    swiftLanguageModes: [.v6]
)
