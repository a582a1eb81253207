// cibox — CI in a box. MIT licence, see LICENSE.

package import CIBoxModel
import Foundation
import GRDB

/// A branch or tag of a project as last seen by cibox (`projectRef` table).
struct ProjectRefRecord: Codable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "projectRef"
    var id: Int64?
    var projectId: Int64
    var ref: String
    var sha: String

    mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

extension PipelineStore {
    /// The project named `name`, or nil.
    /// - Throws: ``StoreError`` when the database fails.
    package func project(named name: String) throws(StoreError) -> Project? {
        try read("find project '\(name)'") { db in
            try ProjectRecord.filter(Column("name") == name).fetchOne(db)?.model
        }
    }

    /// Removes the project named `name` with its pipelines, jobs and last-seen refs (logs on disk stay).
    /// - Returns: the removed project.
    /// - Throws: ``StoreError`` `.notFound` when there is no such project; `.database` when the database fails.
    @discardableResult
    package func removeProject(named name: String) throws(StoreError) -> Project {
        try write("remove project '\(name)'") { db in
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
        try read("read the refs of project \(projectID)") { db in
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
        try write("save the refs of project \(projectID)") { db in
            try ProjectRefRecord.filter(Column("projectId") == projectID).deleteAll(db)
            for (ref, sha) in refs.sorted(by: { $0.key < $1.key }) {
                var record = ProjectRefRecord(id: nil, projectId: projectID, ref: ref, sha: sha)
                try record.insert(db)
            }
        }
    }

    /// The number of last-seen refs of each project: project id → count.
    /// - Throws: ``StoreError`` when the database fails.
    package func refCounts() throws(StoreError) -> [Int64: Int] {
        try read("count the refs of projects") { db in
            let rows = try Row.fetchAll(db, sql: "SELECT projectId, COUNT(*) AS n FROM projectRef GROUP BY projectId")
            return Dictionary(rows.map { (($0["projectId"] as Int64), ($0["n"] as Int)) }, uniquingKeysWith: +)
        }
    }
}
