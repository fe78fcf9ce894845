// swift-tools-version:6.0
import PackageDescription

// Targets depend in one direction:
//   luaroutes (executable) -> LuaRoutesHurl (the request runner) -> LuaRoutes (core)
//     -> CLuaGlue (our C) -> CLua (Debian's liblua5.4)
let package = Package(
    name: "luaroutes",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "luaroutes", targets: ["luaroutes"]),
        .library(name: "LuaRoutes", targets: ["LuaRoutes"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
    ],
    targets: [
        .systemLibrary(name: "CLua", providers: [.apt(["liblua5.4-dev"])]),
        .target(name: "CLuaGlue", dependencies: ["CLua"], linkerSettings: [.linkedLibrary("lua5.4"), .linkedLibrary("crypto"), .linkedLibrary("sqlite3")]),
        .target(
            name: "LuaRoutes",
            dependencies: [
                "CLuaGlue",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            // The prelude's Lua files, compiled into the binary (Runtime/Prelude.swift lists their order).
            resources: [
                "sandbox", "log", "require", "coroutine", "req", "res", "route",
            ].map { .embedInCode("Runtime/Prelude/\($0).lua") } + [.embedInCode("Runtime/Fetch/fetch.lua")]
        ),
        .target(name: "LuaRoutesHurl", dependencies: ["LuaRoutes"]),
        .executableTarget(
            name: "luaroutes",
            dependencies: [
                "LuaRoutes", "LuaRoutesHurl",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        // What both test targets use: project folders on disk and loopback sockets.
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(
            name: "LuaRoutesTests",
            dependencies: [
                "LuaRoutes", "CLuaGlue", "TestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "InMemoryLogging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        .testTarget(name: "LuaRoutesHurlTests", dependencies: ["LuaRoutesHurl", "LuaRoutes"], exclude: ["Fixtures"]),
        .testTarget(name: "CLITests", dependencies: ["luaroutes", "TestSupport"]),
    ],
    swiftLanguageModes: [.v6]
)
