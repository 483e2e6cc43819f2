// swift-tools-version:6.0
import PackageDescription

// No package dependencies, by requirement: the toolchain's Foundation (preferably
// FoundationEssentials) is all the tool uses.
let package = Package(
    name: "exectrack",
    products: [
        .executable(name: "exectrack", targets: ["exectrack"]),
        .library(name: "ExecutionTracking", targets: ["ExecutionCore", "ExecutionTracking"]),
    ],
    targets: [
        // The pure engine: model, JSON, parser, transitions, metrics, rendering, exports. It
        // imports no libc and reads no clock, file or environment: they are passed in.
        .target(name: "ExecutionCore"),
        // What touches the system: the store (files, locks), the clock, the tracker over them.
        .target(name: "ExecutionTracking", dependencies: ["ExecutionCore"]),
        .executableTarget(name: "exectrack", dependencies: ["ExecutionCore", "ExecutionTracking"]),
        // The seeded generator both test targets draw their random cases from.
        .target(name: "SeededRandom", path: "Tests/SeededRandom"),
        // Fixtures are read from the source tree by path, not bundled.
        .testTarget(name: "ExecutionTrackingTests", dependencies: ["ExecutionCore", "ExecutionTracking", "SeededRandom"],
                    exclude: ["Fixtures"]),
        // Depends on the executable so `swift test` builds the binary these tests run.
        .testTarget(name: "EndToEndTests", dependencies: ["exectrack", "SeededRandom"], exclude: ["Fixtures"]),
    ]
)
