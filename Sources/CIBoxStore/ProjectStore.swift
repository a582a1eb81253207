// cibox — CI in a box. MIT licence, see LICENSE.

package import CIBoxModel
import Foundation
import GRDB

/// Projects (`project`) and the branches and tags last seen in each (`projectRef`).
///
/// Lifecycle: a view of the open ``PipelineStore`` (`store.projects`) that holds only the shared writer.
/// Concurrency: safe from any task; each method is one write transaction on the shared writer or one short read.
/// Errors: ``StoreError`` `database` when SQLite fails (the underlying error as its `cause`), `notFound` for a
/// missing project.
package struct ProjectStore: Sendable {
    /// The shared database.
    let database: StoreDatabase

    /// The project at `path`, made with `name` (made unique with a numeric suffix) when it is new.
    /// - Parameter seenRefs: for a new project, its refs to record as seen in the same transaction (ref → sha), so
    ///   that a daemon that notices the project never builds what was there before it was added.
    /// - Throws: ``StoreError`` when the database fails, or what `seenRefs` throws (as `database`).
    package func project(
        path: String, name: String, seenRefs: (@Sendable () throws -> [String: String])? = nil
    ) throws(StoreError) -> Project {
        // Most calls find the project: a read needs no write lock and writes nothing.
        let known = try database.read("look up project '\(path)'") { db in
            try ProjectRecord.filter(Column("path") == path).fetchOne(db)
        }
        if let known { return known.model }
        return try database.write("record project '\(path)'") { db in
            if let existing = try ProjectRecord.filter(Column("path") == path).fetchOne(db) {
                return existing.model
            }
            var unique = name
            var suffix = 2
            while try ProjectRecord.filter(Column("name") == unique).fetchCount(db) > 0 {
                unique = "\(name)-\(suffix)"
                suffix += 1
            }
            var record = ProjectRecord(id: nil, name: unique, path: path, createdAt: Date())
            try record.insert(db)
            if let seenRefs, let id = record.id { try Self.insertRefs(try seenRefs(), projectID: id, db) }
            // As read back: its time as stored, to the millisecond.
            return try ProjectRecord.fetchOne(db, key: record.id)?.model ?? record.model
        }
    }

    /// Every project, by name.
    package func projects() throws(StoreError) -> [Project] {
        try database.read("list projects") { db in
            try ProjectRecord.order(Column("name")).fetchAll(db).map(\.model)
        }
    }

    /// The project with id `id`, if any.
    package func project(id: Int64) throws(StoreError) -> Project? {
        try database.read("read project \(id)") { db in try ProjectRecord.fetchOne(db, key: id)?.model }
    }

    /// The project named `name`, or nil.
    /// - Throws: ``StoreError`` when the database fails.
    package func project(named name: String) throws(StoreError) -> Project? {
        try database.read("find project '\(name)'") { db in
            try ProjectRecord.filter(Column("name") == name).fetchOne(db)?.model
        }
    }

    /// Removes the project named `name` with its pipelines, jobs and last-seen refs (logs on disk stay).
    /// - Returns: the removed project.
    /// - Throws: ``StoreError`` `.notFound` when there is no such project; `.database` when the database fails.
    @discardableResult
    package func removeProject(named name: String) throws(StoreError) -> Project {
        try database.write("remove project '\(name)'") { db in
            guard let record = try ProjectRecord.filter(Column("name") == name).fetchOne(db) else {
                throw StoreError(.notFound, "No project named '\(name)'. `cibox project list` shows the projects.")
            }
            try record.delete(db)
            return record.model
        }
    }

    /// The refs of `projectID` as last seen: full reference name → commit sha (empty for a new project).
    /// - Throws: ``StoreError`` when the database fails.
    package func refs(projectID: Int64) throws(StoreError) -> [String: String] {
        try database.read("read the refs of project \(projectID)") { db in
            let records = try ProjectRefRecord.filter(Column("projectId") == projectID).fetchAll(db)
            return Dictionary(records.map { ($0.ref, $0.sha) }, uniquingKeysWith: { _, last in last })
        }
    }

    /// Replaces every last-seen ref of `projectID` with `refs`, in one transaction.
    /// - Parameters:
    ///   - projectID: the project.
    ///   - refs: full reference name → commit sha.
    /// - Throws: ``StoreError`` when the database fails (nothing is changed then).
    package func saveRefs(projectID: Int64, refs: [String: String]) throws(StoreError) {
        try database.write("save the refs of project \(projectID)") { db in
            try ProjectRefRecord.filter(Column("projectId") == projectID).deleteAll(db)
            try Self.insertRefs(refs, projectID: projectID, db)
        }
    }

    private static func insertRefs(_ refs: [String: String], projectID: Int64, _ db: Database) throws {
        for (ref, sha) in refs.sorted(by: { $0.key < $1.key }) {
            var record = ProjectRefRecord(id: nil, projectId: projectID, ref: ref, sha: sha)
            try record.insert(db)
        }
    }

    /// The number of last-seen refs of each project: project id → count.
    /// - Throws: ``StoreError`` when the database fails.
    package func refCounts() throws(StoreError) -> [Int64: Int] {
        try database.read("count the refs of projects") { db in
            let rows = try Row.fetchAll(db, sql: "SELECT projectId, COUNT(*) AS n FROM projectRef GROUP BY projectId")
            return Dictionary(rows.map { (($0["projectId"] as Int64), ($0["n"] as Int)) }, uniquingKeysWith: +)
        }
    }
}
