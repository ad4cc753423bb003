// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "crm-host",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "crm-host", targets: ["crm-host"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", exact: "2.28.1"),
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", exact: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto", exact: "3.12.3"),
        .package(url: "https://github.com/swift-server/async-http-client", exact: "1.37.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", exact: "2.13.0"),
        .package(url: "https://github.com/jpsim/Yams", exact: "6.2.2"),
    ],
    targets: [
        // Debian's liblua5.4 and libqrencode, seen through pkg-config.
        .systemLibrary(name: "CLua", pkgConfig: "lua5.4", providers: [.apt(["liblua5.4-dev"])]),
        .systemLibrary(name: "CQREncode", pkgConfig: "libqrencode", providers: [.apt(["libqrencode-dev"])]),
        // The only C we write: error boundary, capped allocator, count hook, string caps,
        // and the pattern matcher whose steps are charged to the budget.
        .target(name: "CLuaShim", dependencies: ["CLua"]),
        .target(name: "Lua", dependencies: ["CLua", "CLuaShim"]),
        // Debian's libsqlite3 below GRDB: a file system layer that writes each commit's log frames in one call.
        .target(name: "CSQLiteLogWriter", linkerSettings: [.linkedLibrary("sqlite3")]),
        .target(name: "CRMCore"),
        .target(name: "CRMScripting", dependencies: [
            "Lua", "CRMCore",
            .product(name: "Yams", package: "Yams"),
            .product(name: "Logging", package: "swift-log"),
        ], resources: [.copy("Library")]),
        .target(name: "CRMStore", dependencies: [
            "CRMCore", "CSQLiteLogWriter",
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "GRDBSQLite", package: "GRDB.swift"),
            .product(name: "Crypto", package: "swift-crypto"),
        ]),
        .target(name: "CRMSessions", dependencies: [
            "CRMCore", "CRMStore", "CRMScripting", "CQREncode",
            .product(name: "GRDB", package: "GRDB.swift"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
        ]),
        .target(name: "CRMServer", dependencies: [
            "CRMCore", "CRMStore", "CRMScripting", "CRMSessions",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "Crypto", package: "swift-crypto"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ], resources: [.copy("Web")]),
        .executableTarget(name: "crm-host", dependencies: [
            "Lua", "CRMCore", "CRMStore", "CRMScripting", "CRMSessions", "CRMServer", "CSQLiteLogWriter",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "GRDBSQLite", package: "GRDB.swift"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
        ]),
        // Fuzz targets: a few seconds each in FuzzTests, as long as asked by `bin/fuzz` (crm-fuzz).
        .target(name: "FuzzTargets", dependencies: [
            "CRMServer", "CRMSessions", "CRMScripting", "CRMCore", "Lua",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "Yams", package: "Yams"),
            .product(name: "Logging", package: "swift-log"),
        ], path: "Tests/Fuzz/FuzzTargets"),
        .executableTarget(name: "crm-fuzz", dependencies: ["FuzzTargets"], path: "Tests/Fuzz/crm-fuzz"),
        .testTarget(name: "FuzzTests", dependencies: ["FuzzTargets", "CRMServer"], exclude: ["Regressions"]),
        .testTarget(name: "LuaTests", dependencies: ["Lua", "CLuaShim"], resources: [.copy("Hostile")]),
        .testTarget(name: "CRMScriptingTests", dependencies: ["CRMScripting", "Lua"]),
        .testTarget(name: "CRMStoreTests", dependencies: ["CRMStore", "CRMCore"]),
        .testTarget(name: "CRMSessionsTests", dependencies: ["CRMSessions", "CRMStore", "CRMScripting"]),
        .testTarget(name: "CRMServerTests", dependencies: [
            "CRMServer", "CRMSessions", "CRMStore",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
        ]),
    ]
)
