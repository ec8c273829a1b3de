// swift-tools-version:6.0
// RapportKit: the Rust core for Swift, in three layers (see ios/README.md):
//   RapportFFI       the C interface of the Rust library
//                    (Apple: generated/RapportFFI.xcframework, made by scripts/build-xcframework.sh;
//                     Linux: a system library over the host-built librapport_ffi.so)
//   RapportDay       CalendarDay, the Swift type of the core's calendar days
//   RapportBindings  the Swift bindings uniffi generates (scripts/generate-bindings.sh),
//                    one file per Rust crate (rapport-ffi, rapport-core, rapport-protocol)
//   RapportKit       the hand-written API apps use (async/await, AsyncStream)
// Swift 6 language mode (complete strict concurrency) for every target; see
// ios/README.md, "Swift 6", for what that takes of the generated bindings.
// Everything under generated/ is build output, not committed: run a script first.
import PackageDescription

#if os(Linux)
// Tests on Linux link the host-built library: pass its folder with
// `-Xlinker -L<dir>` (scripts/test-linux.sh does).
let ffi: Target = .systemLibrary(name: "RapportFFI", path: "generated/RapportFFI")
#else
let ffi: Target = .binaryTarget(name: "RapportFFI", path: "generated/RapportFFI.xcframework")
#endif

let package = Package(
    name: "RapportKit",
    platforms: [.iOS(.v15), .macOS(.v12)],
    products: [
        .library(name: "RapportKit", targets: ["RapportKit"]),
    ],
    targets: [
        ffi,
        .target(
            name: "RapportDay",
            path: "Sources/RapportDay"
        ),
        .target(
            name: "RapportBindings",
            dependencies: ["RapportFFI", "RapportDay"],
            path: "generated/RapportBindings"
        ),
        .target(
            name: "RapportKit",
            dependencies: ["RapportBindings", "RapportDay"],
            path: "Sources/RapportKit"
        ),
        .testTarget(
            name: "RapportKitTests",
            dependencies: ["RapportKit", "RapportBindings", "RapportDay"],
            path: "Tests/RapportKitTests"
        ),
    ]
)
