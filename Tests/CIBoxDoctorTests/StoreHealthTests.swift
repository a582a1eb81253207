// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxDoctor
import CIBoxStore
import CIBoxTestSupport
import Foundation
import GRDB
import Testing

/// The database as `cibox doctor` reads it: read-only, SQLite's integrity check, migrations against this cibox's.
@Suite struct StoreHealthTests {
    @Test func aFreshStoreIsSoundAndCurrent() throws {
        let home = try TemporaryDirectory(prefix: "cibox-doctor")
        defer { home.remove() }
        let path = PipelineStore.databasePath(home: home.path)
        #expect(StoreHealth.inspect(home: home.path).exists == false)
        #expect(
            StoreChecks.assessDatabase(StoreHealth.inspect(home: home.path), path: path)
                == DoctorFinding("database", .ok, "No database yet: cibox makes \(path) at its first run."))
        _ = try PipelineStore(home: home.path)
        let health = StoreHealth.inspect(home: home.path)
        #expect(health.exists && health.openError == nil)
        #expect(health.integrity == ["ok"])
        #expect(health.pendingMigrations.isEmpty && health.unknownMigrations.isEmpty)
        let finding = StoreChecks.assessDatabase(health, path: path)
        #expect(finding.status == .ok)
        #expect(finding.summary.hasSuffix("): integrity ok, schema current."))
    }

    @Test func aNewerCibosMigrationIsAProblem() throws {
        let home = try TemporaryDirectory(prefix: "cibox-doctor")
        defer { home.remove() }
        _ = try PipelineStore(home: home.path)
        let path = PipelineStore.databasePath(home: home.path)
        try DatabaseQueue(path: path).write { db in
            try db.execute(sql: "INSERT INTO grdb_migrations VALUES ('v99-future')")
        }
        let health = StoreHealth.inspect(home: home.path)
        #expect(health.unknownMigrations == ["v99-future"])
        #expect(
            StoreChecks.assessDatabase(health, path: path)
                == DoctorFinding(
                    "database", .problem,
                    "\(path) was written by a newer cibox (migrations v99-future are unknown to this one).",
                    fix: "Install the newer cibox again, or restore the database from before it ran."))
    }

    @Test func aDamagedFileIsAProblem() throws {
        let home = try TemporaryDirectory(prefix: "cibox-doctor")
        defer { home.remove() }
        let path = PipelineStore.databasePath(home: home.path)
        try Data(repeating: 0x41, count: 8192).write(to: URL(fileURLWithPath: path))
        let finding = StoreChecks.assessDatabase(StoreHealth.inspect(home: home.path), path: path)
        #expect(finding.status == .problem)
        #expect(
            finding.summary.hasPrefix("\(path) cannot be opened: ") || finding.summary.hasPrefix("SQLite's integrity"))
    }
}
