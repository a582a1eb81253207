// swift-tools-version: 6.1
// cibox — CI in a box. See README.md and LICENSE (MIT).

import PackageDescription

let swiftSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

let package = Package(
    name: "cibox",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "cibox", targets: ["cibox"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/swiftlang/swift-subprocess", from: "1.0.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1", traits: []),
        // Already in Hummingbird's graph; named because CIBoxServer uses their types (ByteBuffer, the thread pool,
        // header names, HTTP request parts, TLS certificates and keys) directly.
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        // `/metrics`: the metric types (swift-metrics) and their Prometheus text (swift-prometheus).
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        // MARK: C shims (each imported by exactly one Swift module)
        // libgit2 and libarchive are loaded on first use, not at start (see CLazyLibrary).
        .target(name: "CLazyLibrary"),
        .target(name: "CLibgit2", dependencies: ["CLazyLibrary"]),
        .target(name: "CLibarchive", dependencies: ["CLazyLibrary"]),
        .target(name: "CSQLiteOptions", dependencies: [.product(name: "GRDBSQLite", package: "GRDB.swift")]),
        .target(
            name: "CLibxml2", dependencies: ["CLazyLibrary"],
            cSettings: [.unsafeFlags(["-I/usr/include/libxml2"])]
        ),
        .target(name: "CSpawn"),

        // MARK: Foundation layers
        .target(
            name: "CIBoxBasics",
            dependencies: [
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Subprocess", package: "swift-subprocess"),
            ],
            exclude: ["README.md"], swiftSettings: swiftSettings),
        .target(
            name: "CIBoxModel", dependencies: ["CIBoxBasics"], exclude: ["README.md"], swiftSettings: swiftSettings),

        // MARK: Pure stages: config text -> model -> plan
        .target(
            name: "CIBoxYAML",
            dependencies: [
                "CIBoxModel", "CIBoxBasics", .product(name: "Yams", package: "Yams"),
                .product(name: "OrderedCollections", package: "swift-collections"),
            ],
            exclude: ["README.md"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "CIBoxConfig",
            dependencies: [
                "CIBoxYAML", "CIBoxModel", "CIBoxBasics",
                .product(name: "OrderedCollections", package: "swift-collections"),
            ],
            exclude: ["README.md"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "CIBoxSettings", dependencies: ["CIBoxYAML", "CIBoxModel", "CIBoxBasics", "CIBoxImages"],
            exclude: ["README.md"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "CIBoxPlanner", dependencies: ["CIBoxModel", "CIBoxBasics"], exclude: ["README.md"],
            swiftSettings: swiftSettings
        ),

        // MARK: I/O parts
        .target(
            name: "CIBoxGit", dependencies: ["CIBoxModel", "CIBoxBasics", "CLibgit2"], exclude: ["README.md"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "CIBoxStore",
            dependencies: [
                "CIBoxModel", "CIBoxBasics", .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"), "CSQLiteOptions",
            ],
            exclude: ["README.md"], swiftSettings: swiftSettings
        ),
        .target(
            name: "CIBoxTestResults", dependencies: ["CIBoxModel", "CLibxml2"], exclude: ["README.md"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "CIBoxArchives", dependencies: ["CIBoxBasics", "CLibarchive"], exclude: ["README.md"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "CIBoxImages", dependencies: ["CIBoxBasics", "CIBoxArchives"], exclude: ["README.md"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "CIBoxExecutor",
            dependencies: ["CIBoxModel", "CIBoxBasics", "CSpawn", "CIBoxTestResults", "CIBoxArchives"],
            exclude: ["README.md"], swiftSettings: swiftSettings),
        // Pulls from registries with skopeo, beside the image store it fills.
        .target(
            name: "CIBoxRegistry", dependencies: ["CIBoxModel", "CIBoxBasics", "CIBoxImages"],
            exclude: ["README.md"], swiftSettings: swiftSettings),
        .target(
            name: "CIBoxContainers",
            dependencies: ["CIBoxModel", "CIBoxBasics", "CIBoxExecutor", "CIBoxImages", "CIBoxRegistry"],
            exclude: ["README.md"], swiftSettings: swiftSettings),
        // A Docker engine per job (Podman's Docker API), beside Containers.
        .target(
            name: "CIBoxDockerEngine",
            dependencies: ["CIBoxModel", "CIBoxBasics", "CIBoxExecutor", "CIBoxImages"],
            exclude: ["README.md"], swiftSettings: swiftSettings),
        .target(
            name: "CIBoxSlurm",
            dependencies: ["CIBoxModel", "CIBoxBasics", "CIBoxExecutor", "CIBoxContainers"],
            exclude: ["README.md"], swiftSettings: swiftSettings
        ),
        .target(
            name: "CIBoxScheduler",
            dependencies: ["CIBoxModel", "CIBoxBasics", "CIBoxPlanner", "CIBoxExecutor"],
            exclude: ["README.md"], swiftSettings: swiftSettings
        ),

        // Orbs offline: above the compiler (the OrbSource it implements) and Git (project orbs at a commit).
        .target(
            name: "CIBoxOrbs",
            dependencies: [
                "CIBoxConfig", "CIBoxGit", "CIBoxYAML", "CIBoxModel", "CIBoxBasics",
                .product(name: "OrderedCollections", package: "swift-collections"),
            ],
            exclude: ["README.md"], swiftSettings: swiftSettings
        ),

        .target(
            name: "CIBoxReport",
            dependencies: ["CIBoxBasics", "CIBoxModel", "CIBoxStore"],
            exclude: ["README.md"],
            resources: [
                .embedInCode("Resources/report.css"), .embedInCode("Resources/refresh.js"),
                .embedInCode("Resources/live.js"),
            ],
            swiftSettings: swiftSettings
        ),

        .target(
            name: "CIBoxPresentation", dependencies: ["CIBoxBasics", "CIBoxModel", "CIBoxStore", "CIBoxExecutor"],
            exclude: ["README.md"], swiftSettings: swiftSettings
        ),

        // MARK: Composition and interface
        .target(
            name: "CIBoxEngine",
            dependencies: [
                "CIBoxBasics", "CIBoxModel", "CIBoxConfig", "CIBoxSettings", "CIBoxPlanner", "CIBoxGit", "CIBoxStore",
                "CIBoxExecutor", "CIBoxScheduler", "CIBoxSlurm", "CIBoxOrbs", "CIBoxReport", "CIBoxContainers",
                "CIBoxImages", "CIBoxRegistry", "CIBoxDockerEngine",
            ],
            exclude: ["README.md"], swiftSettings: swiftSettings
        ),
        .target(
            name: "CIBoxDaemon",
            dependencies: [
                "CIBoxBasics", "CIBoxModel", "CIBoxEngine", "CIBoxGit", "CIBoxStore", "CIBoxExecutor", "CIBoxScheduler",
                "CIBoxSlurm", .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            exclude: ["README.md"],
            swiftSettings: swiftSettings
        ),
        // `cibox doctor`: what is wrong with this host and a home, beside Daemon (it reads what Engine's parts use).
        .target(
            name: "CIBoxDoctor",
            dependencies: [
                "CIBoxBasics", "CIBoxModel", "CIBoxEngine", "CIBoxStore", "CIBoxExecutor", "CIBoxImages",
                "CIBoxSettings", "CIBoxContainers", "CIBoxRegistry", "CIBoxDockerEngine",
            ],
            exclude: ["README.md"], swiftSettings: swiftSettings
        ),
        // The daemon's HTTP API, beside Daemon: Commands hands it to the daemon as one more service.
        .target(
            name: "CIBoxServer",
            dependencies: [
                "CIBoxBasics", "CIBoxModel", "CIBoxStore", "CIBoxExecutor", "CIBoxPresentation", "CIBoxReport",
                "CIBoxEngine",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            exclude: ["README.md"], swiftSettings: swiftSettings
        ),
        .target(
            name: "CIBoxCommands",
            dependencies: [
                "CIBoxBasics", "CIBoxModel", "CIBoxEngine", "CIBoxStore", "CIBoxScheduler", "CIBoxExecutor",
                "CIBoxConfig", "CIBoxSettings", "CIBoxPlanner", "CIBoxTestResults", "CIBoxGit", "CIBoxDaemon",
                "CIBoxServer", "CIBoxDoctor",
                "CIBoxSlurm", "CIBoxOrbs", "CIBoxReport", "CIBoxPresentation", "CIBoxImages", "CIBoxRegistry",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            exclude: ["README.md"], swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "cibox",
            dependencies: ["CIBoxCommands"],
            exclude: ["exported.map"],
            swiftSettings: swiftSettings,
            // libgit2 binds to cibox's mbedtls_x509_crt_parse_file, which loads no CA certificate (see
            // Sources/CLibgit2/no_certificates.c): about 8 ms less at every start.
            linkerSettings: [
                .unsafeFlags([
                    "-Xlinker", "--export-dynamic-symbol=mbedtls_x509_crt_parse_file", "-use-ld=lld", "-Xlinker", "-z",
                    "-Xlinker", "pack-relative-relocs", "-Xlinker",
                    "--version-script=\(Context.packageDirectory)/Sources/cibox/exported.map",
                ])
            ]
        ),

        // The job agent: a static C program (no Swift, no C library needed in the image it runs in), installed
        // beside `cibox`.
        .executableTarget(
            name: "cibox-sandbox",
            cSettings: [.unsafeFlags(["-Wall", "-Wextra", "-Werror", "-Wno-unused-parameter"])],
            // Linked with lld, as cibox is (gold warns about the dlopen in the Swift runtime that swiftc links in).
            linkerSettings: [
                .unsafeFlags(["-static-executable", "-use-ld=lld", "-Xlinker", "--gc-sections"])
            ]
        ),

        .executableTarget(
            name: "cibox-bench",
            dependencies: [
                "CIBoxBasics", "CIBoxModel", "CIBoxYAML", "CIBoxConfig", "CIBoxEngine", "CIBoxStore", "CIBoxExecutor",
                "CIBoxReport", "CIBoxGit",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),

        // MARK: Tests
        .target(
            name: "CIBoxTestSupport",
            dependencies: [
                "CIBoxBasics", "CIBoxModel", "CIBoxConfig", "CIBoxImages",
                .product(name: "Subprocess", package: "swift-subprocess"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CIBoxYAMLTests",
            dependencies: [
                "CIBoxYAML", "CIBoxModel", "CIBoxTestSupport",
                .product(name: "OrderedCollections", package: "swift-collections"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "CIBoxConfigTests",
            dependencies: ["CIBoxConfig", "CIBoxYAML", "CIBoxTestSupport", .product(name: "Yams", package: "Yams")],
            resources: [.copy("Golden")], swiftSettings: swiftSettings),
        .testTarget(
            name: "CIBoxSettingsTests", dependencies: ["CIBoxSettings", "CIBoxModel", "CIBoxTestSupport"],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "CIBoxPlannerTests", dependencies: ["CIBoxPlanner", "CIBoxConfig", "CIBoxTestSupport"],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "CIBoxGitTests", dependencies: ["CIBoxGit", "CIBoxTestSupport"], swiftSettings: swiftSettings),
        .testTarget(
            name: "CIBoxStoreTests",
            dependencies: ["CIBoxStore", "CIBoxTestSupport", .product(name: "GRDB", package: "GRDB.swift")],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "CIBoxExecutorTests", dependencies: ["CIBoxExecutor", "CIBoxBasics", "CIBoxTestSupport"],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "CIBoxDockerEngineTests", dependencies: ["CIBoxDockerEngine", "CIBoxImages"],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "CIBoxImagesTests",
            dependencies: ["CIBoxImages", "CIBoxArchives", "CIBoxBasics", "CIBoxTestSupport"],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "CIBoxRegistryTests",
            dependencies: ["CIBoxRegistry", "CIBoxImages", "CIBoxBasics", "CIBoxModel", "CIBoxTestSupport"],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "CIBoxContainersTests",
            dependencies: [
                "CIBoxContainers", "CIBoxExecutor", "CIBoxImages", "CIBoxBasics", "CIBoxModel", "CIBoxTestSupport",
                "CIBoxRegistry",
            ],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "CIBoxArchivesTests", dependencies: ["CIBoxArchives", "CIBoxTestSupport"],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "CIBoxSlurmTests", dependencies: ["CIBoxSlurm", "CIBoxExecutor", "CIBoxModel", "CIBoxTestSupport"],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "CIBoxSchedulerTests",
            dependencies: ["CIBoxScheduler", "CIBoxExecutor", "CIBoxBasics", "CIBoxTestSupport"],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "CIBoxTestResultsTests", dependencies: ["CIBoxTestResults", "CIBoxModel", "CIBoxTestSupport"],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "CIBoxEngineTests",
            dependencies: ["CIBoxEngine", "CIBoxExecutor", "CIBoxOrbs", "CIBoxYAML", "CIBoxTestSupport"],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "CIBoxOrbsTests",
            dependencies: ["CIBoxOrbs", "CIBoxConfig", "CIBoxYAML", "CIBoxModel", "CIBoxTestSupport"],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "CIBoxDaemonTests",
            dependencies: [
                "CIBoxDaemon", "CIBoxEngine", "CIBoxStore", "CIBoxModel", "CIBoxTestSupport",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CIBoxCommandsTests",
            dependencies: [
                "CIBoxCommands", "CIBoxModel", "CIBoxBasics", "CIBoxExecutor", "CIBoxTestSupport", "CIBoxDoctor",
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CIBoxServerTests", dependencies: ["CIBoxServer", "CIBoxStore", "CIBoxModel", "CIBoxBasics"],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "CIBoxDoctorTests",
            dependencies: [
                "CIBoxDoctor", "CIBoxStore", "CIBoxImages", "CIBoxExecutor", "CIBoxModel", "CIBoxBasics",
                "CIBoxTestSupport", .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: swiftSettings),
        .testTarget(
            name: "CIBoxPresentationTests",
            dependencies: ["CIBoxPresentation", "CIBoxModel", "CIBoxBasics", "CIBoxExecutor", "CIBoxTestSupport"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CIBoxReportTests",
            dependencies: ["CIBoxReport", "CIBoxStore", "CIBoxModel", "CIBoxTestSupport"],
            resources: [.copy("Golden")],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "CIBoxEndToEndTests",
            dependencies: [
                "CIBoxTestSupport", "CIBoxModel", "CIBoxImages", "CIBoxBasics", "CIBoxStore",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: swiftSettings
        ),
    ]
)
