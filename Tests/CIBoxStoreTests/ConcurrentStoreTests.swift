// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxModel
import CIBoxStore
import CIBoxTestSupport
import Foundation
import Testing

/// Runs `body` on `count` threads of their own, all at once, and returns what each gave, in order.
///
/// Threads, not tasks: the store's calls block while SQLite waits for a lock, and the cooperative pool has one thread
/// per core, so tasks would take turns instead of racing as separate processes do.
func onThreads<T: Sendable>(_ count: Int, _ body: @escaping @Sendable (Int) -> T) async -> [T] {
    await withTaskGroup(of: (Int, T).self) { group in
        for index in 0..<count {
            group.addTask {
                await withCheckedContinuation { continuation in
                    Thread { continuation.resume(returning: (index, body(index))) }.start()
                }
            }
        }
        var results: [(Int, T)] = []
        for await result in group { results.append(result) }
        return results.sorted { $0.0 < $1.0 }.map(\.1)
    }
}

@Suite struct ConcurrentStoreTests {
    @Test(arguments: 1...5)
    func eightStoresOpeningAFreshHomeAtOnceAllGetTheSchema(round: Int) async throws {
        let home = try TemporaryDirectory()
        defer { home.remove() }
        let path = home.path
        let opened = await onThreads(8) { index -> String? in
            do {
                let store = try PipelineStore(home: path, concurrentReads: index % 2 == 0)
                _ = try store.projects.project(path: "/srv/app", name: "app")
                return nil
            } catch {
                return String(describing: error)
            }
        }
        #expect(opened.compactMap { $0 } == [], "round \(round)")
        let store = try PipelineStore(home: path)
        #expect(try store.projects.projects().map(\.name) == ["app"])
    }
}
