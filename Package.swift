// swift-tools-version:6.0
import Foundation
import PackageDescription

// libtorch: Debian's `libtorch-dev` by default (headers in /usr/include, libraries on the default path).
// `LIBTORCH=/path/to/libtorch swift build` builds against another distribution instead (e.g. the CUDA build
// unpacked from pytorch.org, laid out as include/ and lib/); its lib/ is added to the rpath.
let libtorch = ProcessInfo.processInfo.environment["LIBTORCH"]
let torchIncludes = libtorch.map { ["-I\($0)/include", "-I\($0)/include/torch/csrc/api/include"] }
    ?? ["-I/usr/include/torch/csrc/api/include"]
// A CUDA build's kernels register themselves from libtorch_cuda, which must stay linked though nothing names it.
let torchCUDA = libtorch.map { FileManager.default.fileExists(atPath: "\($0)/lib/libtorch_cuda.so") } ?? false
let torchLinkFlags = (libtorch.map { ["-L\($0)/lib", "-Xlinker", "-rpath", "-Xlinker", "\($0)/lib"] } ?? [])
    + (torchCUDA ? ["-Xlinker", "--no-as-needed", "-ltorch_cuda", "-Xlinker", "--as-needed"] : [])

let package = Package(
    name: "PerturbKit",
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "PerturbKit", targets: ["PerturbKit"]),
        .executable(name: "perturb", targets: ["perturb"]),
        // Walks an .h5ad with libhdf5 in its own process before the file is read (AnnData's HDF5Isolation).
        .executable(name: "perturb-hdf5-check", targets: ["HDF5Check"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
    ],
    targets: [
        // System libraries (Debian packages installed by scripts/setup).
        .systemLibrary(name: "CHDF5", pkgConfig: "hdf5", providers: [.apt(["libhdf5-dev"])]),
        .systemLibrary(name: "CLAPACK", pkgConfig: "openblas",
                       providers: [.apt(["libopenblas-dev", "liblapacke-dev"])]),
        .systemLibrary(name: "CXGBoost", pkgConfig: "xgboost", providers: [.apt(["libxgboost-dev"])]),

        // SHA-256 block compression in C (x86 SHA extensions when present), for manifest input hashes.
        .target(name: "CSHA256"),

        // Flat C API over libtorch (C++), imported by Swift as a C module.
        .target(name: "CTorchShim",
                cxxSettings: [.unsafeFlags(torchIncludes + ["-Wno-unused-parameter"])],
                linkerSettings: [.unsafeFlags(torchLinkFlags), .linkedLibrary("torch"), .linkedLibrary("torch_cpu"),
                                 .linkedLibrary("c10"), .linkedLibrary("stdc++")]),

        // Library modules, lowest first; each depends only on modules above it in this list
        // (docs/ARCHITECTURE.md; Tests/ArchitectureTests fails on an upward import or an undeclared one).
        .target(name: "Support", dependencies: ["CSHA256"]),
        .target(name: "LinearAlgebra", dependencies: ["CLAPACK", "Support"]),
        .target(name: "AnnData", dependencies: ["CHDF5", "LinearAlgebra", "Support"]),
        .target(name: "Statistics", dependencies: ["LinearAlgebra", "CLAPACK", "Support"]),
        .target(name: "PerturbData", dependencies: ["AnnData", "LinearAlgebra", "Statistics", "Support"]),
        .target(name: "Metrics", dependencies: ["AnnData", "LinearAlgebra", "Statistics", "PerturbData", "Support"]),
        .target(name: "Neural", dependencies: ["CTorchShim"]),
        .target(name: "Models", dependencies: ["AnnData", "LinearAlgebra", "Statistics", "PerturbData", "CXGBoost", "Neural",
                                               "Support"]),
        .target(name: "Workflows", dependencies: [
            "AnnData", "LinearAlgebra", "Statistics", "PerturbData", "Metrics", "Models", "Neural", "Support",
            .product(name: "TOMLKit", package: "TOMLKit"),
        ]),
        .target(name: "PerturbKit", dependencies: ["Support", "AnnData", "LinearAlgebra", "Statistics", "PerturbData",
                                                   "Metrics", "Models", "Workflows", "Neural"]),

        // Command-line tool: parsing only, logic lives in the library.
        .executableTarget(name: "perturb", dependencies: [
            "PerturbKit",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),

        // The libhdf5 isolation helper: small, single-threaded, started fresh for every file.
        .executableTarget(name: "HDF5Check", dependencies: ["AnnData"]),

        .testTarget(name: "ArchitectureTests"),
        .testTarget(name: "SupportTests", dependencies: ["Support"]),
        .testTarget(name: "LinearAlgebraTests", dependencies: ["LinearAlgebra", "Support"]),
        .testTarget(name: "AnnDataTests", dependencies: ["AnnData", "LinearAlgebra", "Support"]),
        .testTarget(name: "PerturbDataTests", dependencies: ["PerturbData", "AnnData", "LinearAlgebra", "Statistics", "Support"]),
        .testTarget(name: "StatisticsTests", dependencies: ["Statistics", "LinearAlgebra"]),
        .testTarget(name: "MetricsTests", dependencies: ["Metrics", "PerturbData", "AnnData", "LinearAlgebra", "Statistics",
                                                         "Support"]),
        .testTarget(name: "NeuralTests", dependencies: ["Neural"]),
        .testTarget(name: "ModelsTests", dependencies: ["Models", "PerturbData", "AnnData", "LinearAlgebra", "Metrics", "Support",
                                                        "Workflows"]),
        .testTarget(name: "WorkflowsTests", dependencies: ["Workflows", "Models", "PerturbData", "AnnData", "Metrics", "Support"]),
        .testTarget(name: "PerturbCLITests", dependencies: ["perturb", "PerturbKit"]),
    ],
    swiftLanguageModes: [.v6],
    cxxLanguageStandard: .cxx17
)

// libFuzzer targets over the parsers of untrusted input (`.h5ad`, benchmark TOML, split and model JSON), only when
// PERTURB_FUZZ=1: the executable has no `main` of its own (libFuzzer supplies it) and is built with sanitizers by
// `make fuzz` (scripts/fuzz), in its own build folder.
if ProcessInfo.processInfo.environment["PERTURB_FUZZ"] == "1" {
    package.products.append(.executable(name: "perturb-fuzz", targets: ["PerturbFuzz"]))
    package.targets.append(.executableTarget(name: "PerturbFuzz", dependencies: ["PerturbKit"], path: "Fuzz/PerturbFuzz"))
}
