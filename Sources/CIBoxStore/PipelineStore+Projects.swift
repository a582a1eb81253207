// cibox — CI in a box. MIT licence, see LICENSE.

package import CIBoxModel
import Foundation
import GRDB

extension PipelineStore {
    /// The project at `path`, made with `name` (made unique with a numeric suffix) when it is new.
    /// - Throws: ``StoreError`` when the database fails.
    package func project(path: String, name: String) throws(StoreError) -> Project {
        // Most calls find the project: a read needs no write lock and writes nothing.
        let known = try read("look up project '\(path)'") { db in
            try ProjectRecord.filter(Column("path") == path).fetchOne(db)
        }
        if let known { return known.model }
        return try write("record project '\(path)'") { db in
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
            return record.model
        }
    }

    /// Every project, by name.
    package func projects() throws(StoreError) -> [Project] {
        try read("list projects") { db in
            try ProjectRecord.order(Column("name")).fetchAll(db).map(\.model)
        }
    }

    /// The number the next pipeline of `projectID` will get.
    package func nextPipelineNumber(projectID: Int64) throws(StoreError) -> Int {
        try read("number the next pipeline") { db in
            let last = try Int.fetchOne(
                db, sql: "SELECT MAX(number) FROM pipeline WHERE projectId = ?", arguments: [projectID])
            return (last ?? 0) + 1
        }
    }
}
