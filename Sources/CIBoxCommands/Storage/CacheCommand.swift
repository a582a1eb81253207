// cibox — CI in a box. MIT licence, see LICENSE.

import ArgumentParser
import CIBoxBasics
import CIBoxExecutor
import Foundation

/// `cibox cache`: the caches that `save_cache` stored.
struct CacheCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cache",
        abstract: "List or remove saved caches.",
        subcommands: [CacheListCommand.self, CacheClearCommand.self]
    )
}

/// `cibox cache list`: every saved cache, newest first.
struct CacheListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List saved caches, newest first.",
        discussion: "Columns: project id, key, compressed size, created, last used."
    )

    @OptionGroup var global: GlobalOptions

    @Flag(help: "Print a JSON array on standard output.")
    var json = false

    func run() throws {
        let entries = CacheStore(home: try HistoryAccess.storageDirectory(global)).entries()
        if json {
            Terminal.output(json: JSONValue.array(entries.map(Self.object)))
            return
        }
        if entries.isEmpty { Terminal.output("No saved caches.\n") }
        for entry in entries {
            let created = Date(timeIntervalSince1970: entry.created).iso8601
            let used = Date(timeIntervalSince1970: entry.lastUsed).iso8601
            Terminal.output(
                "\(entry.projectID)\t\(entry.key)\t\(ByteCount.format(entry.size))\t\(created)\t\(used)\n")
        }
    }

    /// The `--json` shape of one cache.
    static func object(_ entry: CacheEntry) -> JSONValue {
        .object([
            ("project_id", .int(entry.projectID)),
            ("key", .string(entry.key)),
            ("size", .int(entry.size)),
            ("created_at", .string(Date(timeIntervalSince1970: entry.created).iso8601)),
            ("last_used_at", .string(Date(timeIntervalSince1970: entry.lastUsed).iso8601)),
        ])
    }
}

/// `cibox cache clear`: removes caches by key prefix.
struct CacheClearCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clear",
        abstract: "Remove saved caches whose key starts with KEY_PREFIX (all of them without it)."
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "Only caches whose key starts with this.")
    var keyPrefix: String = ""

    func run() throws {
        let removed = CacheStore(home: try HistoryAccess.storageDirectory(global)).clear(prefix: keyPrefix)
        for entry in removed { Terminal.output("removed \(entry.projectID)\t\(entry.key)\n") }
        Terminal.output("Removed \(removed.count) cache\(removed.count == 1 ? "" : "s").\n")
    }
}
