// cibox — CI in a box. MIT licence, see LICENSE.

import GRDB

/// The schema, as append-only named migrations. A shipped migration never changes; tables and columns are
/// named literally, never through app types (GRDB's migration guide).
enum Migrations {
    /// All migrations in order.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-initial") { db in
            try db.create(table: "project") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("name", .text).notNull().unique()
                t.column("path", .text).notNull().unique()
                t.column("createdAt", .datetime).notNull()
            }
            try db.create(table: "pipeline") { t in
                t.autoIncrementedPrimaryKey("id")
                t.belongsTo("project", onDelete: .cascade).notNull()
                t.column("number", .integer).notNull()
                t.column("uuid", .text).notNull()
                t.column("revision", .text).notNull()
                t.column("treeID", .text).notNull()
                t.column("branch", .text)
                t.column("tag", .text)
                t.column("trigger", .text).notNull()
                t.column("source", .text).notNull()
                t.column("status", .text).notNull()
                t.column("configHash", .text).notNull()
                t.column("plan", .blob).notNull()
                t.column("errorMessage", .text)
                t.column("createdAt", .datetime).notNull()
                t.column("startedAt", .datetime)
                t.column("finishedAt", .datetime)
                t.uniqueKey(["projectId", "number"])
            }
            try db.create(index: "pipeline_on_treeID", on: "pipeline", columns: ["treeID", "configHash"])
            try db.create(table: "workflow") { t in
                t.autoIncrementedPrimaryKey("id")
                t.belongsTo("pipeline", onDelete: .cascade).notNull()
                t.column("name", .text).notNull()
                t.column("position", .integer).notNull()
                t.column("status", .text).notNull()
                t.column("startedAt", .datetime)
                t.column("finishedAt", .datetime)
            }
            try db.create(table: "job") { t in
                t.autoIncrementedPrimaryKey("id")
                t.belongsTo("workflow", onDelete: .cascade).notNull()
                t.belongsTo("pipeline", onDelete: .cascade).notNull()
                t.column("name", .text).notNull()
                t.column("position", .integer).notNull()
                t.column("nodeIndex", .integer).notNull()
                t.column("parallelism", .integer).notNull()
                t.column("attempt", .integer).notNull()
                t.column("status", .text).notNull()
                t.column("executor", .text).notNull()
                t.column("resourceClass", .text)
                t.column("exitCode", .integer)
                t.column("failureReason", .text)
                t.column("failureMessage", .text)
                t.column("startedAt", .datetime)
                t.column("finishedAt", .datetime)
            }
            try db.create(index: "job_on_status", on: "job", columns: ["status"])
            try db.create(table: "step") { t in
                t.autoIncrementedPrimaryKey("id")
                t.belongsTo("job", onDelete: .cascade).notNull()
                t.column("position", .integer).notNull()
                t.column("name", .text).notNull()
                t.column("status", .text).notNull()
                t.column("exitCode", .integer)
                t.column("logBytes", .integer).notNull().defaults(to: 0)
                t.column("startedAt", .datetime)
                t.column("finishedAt", .datetime)
                t.uniqueKey(["jobId", "position"])
            }
        }
        migrator.registerMigration("v2-add-job-resources-and-cancel") { db in
            try db.alter(table: "job") { t in
                t.add(column: "isolation", .text)
                t.add(column: "cpuSeconds", .double)
                t.add(column: "peakMemoryBytes", .integer)
                t.add(column: "oomKills", .integer)
                t.add(column: "memoryLimitBytes", .integer)
                t.add(column: "millicoresLimit", .integer)
                t.add(column: "cancelRequestedAt", .datetime)
            }
        }
        migrator.registerMigration("v3-add-testCase") { db in
            try db.create(table: "testCase") { t in
                t.autoIncrementedPrimaryKey("id")
                t.belongsTo("job", onDelete: .cascade).notNull()
                t.column("suite", .text).notNull()
                t.column("className", .text).notNull()
                t.column("name", .text).notNull()
                t.column("file", .text)
                t.column("duration", .double).notNull()
                t.column("result", .text).notNull()
                t.column("message", .text)
            }
        }
        migrator.registerMigration("v4-add-projectRef") { db in
            try db.create(table: "projectRef") { t in
                t.autoIncrementedPrimaryKey("id")
                t.belongsTo("project", onDelete: .cascade).notNull()
                t.column("ref", .text).notNull()
                t.column("sha", .text).notNull()
                t.uniqueKey(["projectId", "ref"])
            }
        }
        migrator.registerMigration("v5-add-pipeline-owner") { db in
            try db.alter(table: "pipeline") { t in
                t.add(column: "ownerPid", .integer)
                t.add(column: "ownerStartTime", .integer)
            }
        }
        migrator.registerMigration("v6-add-compileMemo") { db in
            // What a compile gave for its inputs (see CIBoxEngine's CompileKey): lets the pre-push gate verify a
            // tree without compiling again.
            try db.create(table: "compileMemo") { t in
                t.primaryKey("key", .text)
                t.column("configHash", .text).notNull()
            }
        }
        migrator.registerMigration("v8-add-job-executorRef") { db in
            // What the system that runs a job run calls it (`slurm:1234`), so that a cibox started after a crash
            // attaches to the cluster's job instead of marking it interrupted.
            try db.alter(table: "job") { t in
                t.add(column: "executorRef", .text)
            }
        }
        migrator.registerMigration("v9-add-project-nextPipelineNumber") { db in
            // The number the project's next pipeline gets. It only grows, so a number is never given twice, even
            // after `cibox gc` deleted every pipeline that had one.
            try db.alter(table: "project") { t in
                t.add(column: "nextPipelineNumber", .integer).notNull().defaults(to: 1)
            }
            try db.execute(
                sql: """
                    UPDATE project SET nextPipelineNumber = 1 + COALESCE(
                        (SELECT MAX(number) FROM pipeline WHERE pipeline.projectId = project.id), 0)
                    """)
        }
        migrator.registerMigration("v10-add-slotLease") { db in
            // The machine-wide slot ledger: one row per job run of any cibox process on this home that holds a slot
            // (heldSince set) or waits for one. A row whose owner (pid and start time) is gone is free. No foreign
            // key: a lease is about a live process, not history, and deleting a job row never waits on it.
            try db.create(table: "slotLease") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("jobId", .integer).notNull().unique()
                t.column("ownerPid", .integer).notNull()
                t.column("ownerStartTime", .integer).notNull()
                t.column("projectId", .integer).notNull()
                t.column("priority", .text).notNull()
                t.column("millicores", .integer).notNull()
                t.column("memoryBytes", .integer).notNull()
                t.column("heldSince", .datetime)
                t.column("bypassed", .integer).notNull().defaults(to: 0)
                t.column("createdAt", .datetime).notNull()
            }
        }
        migrator.registerMigration("v11-add-pipelineHandoff") { db in
            // Pipelines that a `cibox trigger` recorded and handed to the daemon running on the home, until the
            // daemon takes them (or the trigger takes one back because the daemon went away first).
            try db.create(table: "pipelineHandoff") { t in
                t.primaryKey("pipelineId", .integer).references("pipeline", onDelete: .cascade)
                t.column("createdAt", .datetime).notNull()
            }
        }
        migrator.registerMigration("v12-add-pipeline-diagnostics") { db in
            // The diagnostics (JSON) of a pipeline recorded as `error` because its config is invalid.
            try db.alter(table: "pipeline") { t in
                t.add(column: "diagnostics", .text)
            }
        }
        migrator.registerMigration("v13-add-job-pidsLimit") { db in
            // Forks refused at the job's pids limit, and the limit, from the cgroup's event counters.
            try db.alter(table: "job") { t in
                t.add(column: "pidsLimitHits", .integer)
                t.add(column: "pidsLimit", .integer)
            }
        }
        migrator.registerMigration("v14-add-job-image") { db in
            // The image a job run ran in (its normalised reference and manifest digest); null on the host.
            try db.alter(table: "job") { t in
                t.add(column: "imageReference", .text)
                t.add(column: "imageDigest", .text)
            }
        }
        migrator.registerMigration("v15-add-apiToken") { db in
            // The build server's API tokens: the SHA-256 of each token (hex), never the token.
            try db.create(table: "apiToken") { t in
                t.autoIncrementedPrimaryKey("id")
                t.column("name", .text).notNull().unique()
                t.column("role", .text).notNull()
                t.column("tokenHash", .text).notNull().unique()
                t.column("createdAt", .datetime).notNull()
                t.column("lastUsedAt", .datetime)
            }
        }
        migrator.registerMigration("v16-add-job-finishedAt-index") { db in
            // `/metrics` reads the job runs that ended since its last look at every scrape.
            try db.create(index: "job_on_finishedAt", on: "job", columns: ["finishedAt"])
        }
        return migrator
    }
}
