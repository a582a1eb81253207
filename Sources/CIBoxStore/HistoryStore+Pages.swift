// cibox — CI in a box. MIT licence, see LICENSE.

package import CIBoxModel
import GRDB

/// Which pipelines a page of the history holds (the HTTP API's `GET pipelines`).
package struct PipelineFilter: Sendable, Equatable {
    /// Only this project's (by name).
    package var project: String?
    /// Only pipelines of this branch.
    package var branch: String?
    /// Only pipelines with this status.
    package var status: PipelineStatus?

    /// A filter; nil fields match every pipeline.
    package init(project: String? = nil, branch: String? = nil, status: PipelineStatus? = nil) {
        self.project = project
        self.branch = branch
        self.status = status
    }
}

extension HistoryStore {
    /// One page of pipelines, newest first: those matching `filter` with an id below `before` (all when nil).
    /// The next page starts before the last id of this one, so pipelines added meanwhile never shift a page.
    /// - Parameters:
    ///   - filter: which pipelines.
    ///   - before: only ids below this one.
    ///   - limit: at most this many.
    package func pipelines(matching filter: PipelineFilter, before: Int64?, limit: Int) throws(StoreError)
        -> [Pipeline]
    {
        try database.read("list pipelines") { db in
            var request = PipelineRecord.all()
            if let project = filter.project {
                let ids = try Int64.fetchAll(db, sql: "SELECT id FROM project WHERE name = ?", arguments: [project])
                request = request.filter(ids.contains(Column("projectId")))
            }
            if let branch = filter.branch { request = request.filter(Column("branch") == branch) }
            if let status = filter.status { request = request.filter(Column("status") == status.rawValue) }
            if let before { request = request.filter(Column("id") < before) }
            let records = try request.order(Column("id").desc).limit(limit).fetchAll(db)
            let names = try ProjectRecord.namesByID(db)
            return records.map { $0.model(projectName: names[$0.projectId] ?? "?") }
        }
    }
}
