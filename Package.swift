// swift-tools-version:6.0
import PackageDescription

// Each C library gets its own system-library target, prefixed with the
// project's name so it never clashes with another package's module.
func cLibrary(_ name: String, pkgConfig: String, apt: String) -> Target {
  .systemLibrary(
    name: name, path: "Sources/\(name)", pkgConfig: pkgConfig, providers: [.apt([apt])])
}

let package = Package(
  name: "linkaudit",
  platforms: [.macOS(.v13)],
  products: [
    .executable(name: "linkaudit", targets: ["linkaudit"]),
    .library(
      name: "LinkAudit",
      targets: [
        "LinkAudit", "LinkAuditCore", "LinkAuditStore", "LinkAuditRollup", "LinkAuditWeb", "LinkAuditImport",
        "LinkAuditXlsx", "LinkAuditQuery",
      ]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
    .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
    .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
    .package(url: "https://github.com/jpsim/Yams", "5.0.1"..<"7.0.0"),
    .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
  ],
  targets: [
    cLibrary("CLinkAuditSQLite", pkgConfig: "sqlite3", apt: "libsqlite3-dev"),
    cLibrary("CLinkAuditXLSX", pkgConfig: "xlsxwriter", apt: "libxlsxwriter-dev"),
    cLibrary("CLinkAuditPSL", pkgConfig: "libpsl", apt: "libpsl-dev"),
    cLibrary("CLinkAuditIDN2", pkgConfig: "libidn2", apt: "libidn2-dev"),
    cLibrary("CLinkAuditZlib", pkgConfig: "zlib", apt: "zlib1g-dev"),
    // The layers, each a target, so the compiler holds the direction of
    // every dependency (README, Layout). Lower layers never import higher ones.
    .target(
      name: "LinkAuditCore",
      dependencies: [.product(name: "Crypto", package: "swift-crypto")]
    ),
    .target(
      name: "LinkAuditStore",
      dependencies: ["LinkAuditCore", "CLinkAuditSQLite"],
      // The released migrations, literal SQL compiled into the binary.
      resources: [
        .embedInCode("Store/Migrations/v1-tables.sql"), .embedInCode("Store/Migrations/v2-views.sql"),
        .embedInCode("Store/Migrations/v3-metric-views.sql"), .embedInCode("Store/Migrations/v4-query-views.sql"),
        .embedInCode("Store/Migrations/v5-rollups.sql"), .embedInCode("Store/Migrations/v6-action-check.sql"),
        .embedInCode("Store/Migrations/v7-vocabulary.sql"),
        .embedInCode("Store/Migrations/v8-enforcement.sql"),
        .embedInCode("Store/Migrations/v9-case-rollups.sql"),
        .embedInCode("Store/Migrations/v10-platform-month.sql"),
        .embedInCode("Store/Migrations/v11-filings.sql"),
        .embedInCode("Store/Migrations/v12-rollup-bundles.sql"),
        .embedInCode("Store/Migrations/v13-bundle-made-at.sql"),
        .embedInCode("Store/Migrations/v14-filing-signer.sql"),
        .embedInCode("Store/Migrations/v15-decision-taps.sql"),
        .embedInCode("Store/Migrations/v16-interconnection.sql"),
        .embedInCode("Store/Migrations/v17-filing-signer-key.sql"),
      ]
    ),
    .target(
      name: "LinkAuditRollup",
      dependencies: ["LinkAuditCore", "LinkAuditStore", .product(name: "Crypto", package: "swift-crypto")]
    ),
    .target(name: "LinkAuditWeb", dependencies: ["LinkAuditCore", "CLinkAuditPSL", "CLinkAuditIDN2"]),
    .target(
      name: "LinkAuditImport",
      dependencies: [
        "LinkAuditCore", "LinkAuditStore", "LinkAuditRollup", "LinkAuditWeb", "CLinkAuditZlib",
        .product(name: "Crypto", package: "swift-crypto"), .product(name: "Yams", package: "Yams"),
      ]
    ),
    .target(name: "LinkAuditXlsx", dependencies: ["LinkAuditCore", "CLinkAuditXLSX"]),
    .target(name: "LinkAuditQuery", dependencies: ["LinkAuditCore", "LinkAuditStore", "LinkAuditXlsx"]),
    // Metrics, ratings and the report package.
    .target(
      name: "LinkAudit",
      dependencies: [
        "LinkAuditCore", "LinkAuditStore", "LinkAuditRollup", "LinkAuditXlsx", "LinkAuditQuery",
        .product(name: "Crypto", package: "swift-crypto"),
        .product(name: "Mustache", package: "swift-mustache"),
        .product(name: "Yams", package: "Yams"),
        .product(name: "ZIPFoundation", package: "ZIPFoundation"),
      ]
    ),
    // The synthetic inbox generator: the command line's, not the shipping library's.
    .target(name: "LinkAuditDemo", dependencies: ["LinkAuditCore", "LinkAuditImport", "LinkAuditWeb"]),
    .executableTarget(
      name: "linkaudit",
      dependencies: [
        "LinkAudit", "LinkAuditCore", "LinkAuditStore", "LinkAuditRollup", "LinkAuditImport", "LinkAuditQuery",
        "LinkAuditDemo",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]
    ),
    .testTarget(
      name: "LinkAuditTests",
      dependencies: [
        "LinkAudit", "LinkAuditCore", "LinkAuditStore", "LinkAuditRollup", "LinkAuditWeb", "LinkAuditImport",
        "LinkAuditXlsx", "LinkAuditQuery", "LinkAuditDemo", .product(name: "Crypto", package: "swift-crypto"),
      ],
      exclude: ["Fixtures"]
    ),
  ]
)
