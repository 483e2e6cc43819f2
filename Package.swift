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
        // Fixtures are read from the source tree by path, not bundled.
        .testTarget(name: "ExecutionTrackingTests", dependencies: ["ExecutionTracking"], exclude: ["Fixtures"]),
        // Depends on the executable so `swift test` builds the binary these tests run.
        .testTarget(name: "EndToEndTests", dependencies: ["exectrack"]),
    ]
)
