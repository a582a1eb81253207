// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxExecutor
import CIBoxTestSupport
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

@Suite struct MigrationWarmerTests {
    /// Waits up to 5 s for `condition` (the warming thread runs on its own schedule).
    func eventually(_ condition: () -> Bool) async -> Bool {
        for _ in 0..<500 {
            if condition() { return true }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return condition()
    }

    @Test func writesItsOwnProcessIdWhileHeldAndStopsWhenReleased() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let procs = folder.appending("cgroup.procs")
        try Data().write(to: URL(fileURLWithPath: procs))
        let warmer = MigrationWarmer(procsFile: procs)
        let hold = warmer.begin()
        #expect(warmer.isWarming)
        #expect(await eventually { (try? String(contentsOfFile: procs, encoding: .utf8)) == String(getpid()) })
        warmer.end(hold)
        #expect(await eventually { !warmer.isWarming })
    }

    @Test func stopsAtTheLastHoldsDeadlineWhenNobodyReleasesIt() async throws {
        let folder = try TemporaryDirectory()
        defer { folder.remove() }
        let procs = folder.appending("cgroup.procs")
        try Data().write(to: URL(fileURLWithPath: procs))
        let warmer = MigrationWarmer(procsFile: procs)
        let first = warmer.begin(limit: .milliseconds(20))
        warmer.begin(limit: .milliseconds(60))
        warmer.end(first)
        #expect(warmer.isWarming)
        #expect(await eventually { !warmer.isWarming })
    }

    @Test func givesUpWhereTheCgroupCannotBeWritten() async throws {
        let warmer = MigrationWarmer(procsFile: "/nonexistent-cibox-cgroup/cgroup.procs")
        warmer.begin()
        #expect(await eventually { !warmer.isWarming })
        warmer.begin()
        #expect(!warmer.isWarming)
    }
}
