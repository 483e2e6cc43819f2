// swift-tools-version:6.0
import PackageDescription

// Code layout (docs/benchmarks.md, "Code layout"): each function in its own section, and the
// functions everyday commands run placed together first, in scripts/link-order.txt's order
// (written by scripts/link-order.py), so a short command takes ~35 page faults for its code rather
// than ~100. lld ships with the Swift toolchain on Linux; names the binary lacks are skipped.
let root = String(#filePath.dropLast("Package.swift".count))
// The type metadata of concrete generic types (`[ExecutionTask]`, their array storage) is got by
// direct accessor calls rather than by demangling a name at first use, which cost every process
// 15-28% of a 13-task command's instructions (docs/benchmarks.md, "Runtime metadata").
let codeGeneration: [SwiftSetting] = [.unsafeFlags(["-Xfrontend", "-function-sections",
                                                      "-Xfrontend", "-disable-concrete-type-metadata-mangled-name-accessors"],
                                                     .when(platforms: [.linux]))]
let linkOrder: [LinkerSetting] = [.unsafeFlags(["-use-ld=lld", "-Xlinker", "--symbol-ordering-file=\(root)scripts/link-order.txt",
                                                "-Xlinker", "--no-warn-symbol-ordering"], .when(platforms: [.linux]))]

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
        .target(name: "ExecutionCore", swiftSettings: codeGeneration),
        // What touches the system: the store (files, locks), the clock, the tracker over them.
        .target(name: "ExecutionTracking", dependencies: ["ExecutionCore"], swiftSettings: codeGeneration),
        .executableTarget(name: "exectrack", dependencies: ["ExecutionCore", "ExecutionTracking"],
                          swiftSettings: codeGeneration, linkerSettings: linkOrder),
        // The seeded generator both test targets draw their random cases from.
        .target(name: "SeededRandom", path: "Tests/SeededRandom"),
        // Fixtures are read from the source tree by path, not bundled.
        .testTarget(name: "ExecutionTrackingTests", dependencies: ["ExecutionCore", "ExecutionTracking", "SeededRandom"],
                    exclude: ["Fixtures"]),
        // Depends on the executable so `swift test` builds the binary these tests run.
        .testTarget(name: "EndToEndTests", dependencies: ["exectrack", "SeededRandom"], exclude: ["Fixtures"]),
    ]
)
