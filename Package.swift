// swift-tools-version:6.0
import PackageDescription

// No package dependencies, by requirement: the toolchain's Foundation (preferably
// FoundationEssentials) is all the tool uses.
let package = Package(
    name: "exectrack",
    products: [
        .executable(name: "exectrack", targets: ["exectrack"]),
        .library(name: "ExecutionTracking", targets: ["ExecutionTracking"]),
    ],
    targets: [
        .target(name: "ExecutionTracking"),
        .executableTarget(name: "exectrack", dependencies: ["ExecutionTracking"]),
        // The seeded generator both test targets draw their random cases from.
        .target(name: "SeededRandom", path: "Tests/SeededRandom"),
        // Fixtures are read from the source tree by path, not bundled.
        .testTarget(name: "ExecutionTrackingTests", dependencies: ["ExecutionTracking", "SeededRandom"],
                    exclude: ["Fixtures"]),
        // Depends on the executable so `swift test` builds the binary these tests run.
        .testTarget(name: "EndToEndTests", dependencies: ["exectrack", "SeededRandom"]),
    ]
)
