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
                "sandbox", "log", "require", "coroutine", "req", "res", "cookie", "stream", "after", "middleware", "route",
            ].map { .embedInCode("Runtime/Prelude/\($0).lua") } + [.embedInCode("Runtime/Fetch/fetch.lua")]
        ),
        .target(name: "LuaRoutesHurl", dependencies: [
            "LuaRoutes",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
        ]),
        // types/ is the one source of the editor definitions; `init` and `types` write these bytes.
        .target(
            name: "LuaRoutesTypes", path: "types", sources: ["LuaDefinitions.swift"],
            resources: LuaDefinitionFiles.names.map { .embedInCode($0) }
        ),
        .executableTarget(
            name: "luaroutes",
            dependencies: [
                "LuaRoutes", "LuaRoutesHurl", "LuaRoutesTypes", "CLuaGlue",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            // The project `luaroutes init` writes, as real files (Scaffold.swift maps them to their places).
            resources: ScaffoldFiles.names.map { .embedInCode("Template/\($0)") }
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

/// types/*.lua, embedded whole (LuaDefinitions.swift lists them for the binary).
enum LuaDefinitionFiles {
    static let names = ["luaroutes.lua", "data.lua", "sandbox.lua"]
}

/// Sources/luaroutes/Template, the project `luaroutes init` writes (Scaffold.swift maps each
/// to its place; `dot-` names become dotfiles, which SwiftPM would otherwise skip).
enum ScaffoldFiles {
    static let names = [
        "pages/api/hello.lua", "pages/api/notes/index.lua", "pages/api/notes/[id].lua", "lib/notes.lua",
        "migrations/001_create_notes.sql", "tests/hello.hurl", "tests/notes.hurl",
        "dot-env.example", "dot-gitignore", "dot-luarc.json", "luaroutes.config.lua",
    ]
}
