// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxExecutor
import CIBoxModel
import Foundation
import Synchronization
import Testing

/// An in-memory cgroup tree: files hold text, folders exist or not; every write is recorded.
final class FakeCgroupFileSystem: CgroupFileSystem {
    let files = Mutex<[String: String]>([:])
    let folders = Mutex<Set<String>>([])
    let writes = Mutex<[String]>([])
    /// Paths whose next write fails once (like a v2 `cgroup.subtree_control` of a cgroup that holds processes).
    let failing = Mutex<Set<String>>([])
    /// Paths whose writes always fail.
    let refusing = Mutex<Set<String>>([])

    func read(_ path: String) throws(CgroupError) -> String {
        guard let text = files.withLock({ $0[path] }) else { throw CgroupError("no \(path)") }
        return text
    }

    func write(_ text: String, to path: String) throws(CgroupError) {
        if failing.withLock({ $0.remove(path) != nil }) || refusing.withLock({ $0.contains(path) }) {
            throw CgroupError("busy \(path)", code: 16)
        }
        writes.withLock { $0.append("\(path) <- \(text)") }
        files.withLock { $0[path] = text }
    }

    func makeDirectory(_ path: String) throws(CgroupError) {
        _ = folders.withLock { $0.insert(path) }
    }

    func removeDirectory(_ path: String) throws(CgroupError) {
        _ = folders.withLock { $0.remove(path) }
    }

    func exists(_ path: String) -> Bool {
        files.withLock { $0[path] != nil } || folders.withLock { $0.contains(path) }
    }

    func subdirectories(_ path: String) -> [String] { [] }
}

@Suite struct CgroupLayoutTests {
    static let hybridMounts = """
        31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
        32 31 0:29 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct
        35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
        37 31 0:34 / /sys/fs/cgroup/freezer rw,relatime - cgroup cgroup rw,freezer
        39 31 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids
        41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
        """
    static let hybridMembership = """
        8:pids:/user.slice
        6:freezer:/
        4:memory:/user.slice/session-2.scope
        2:cpu,cpuacct:/user.slice
        0::/user.slice/session-2.scope
        """

    @Test func hybridHostUsesTheV1HierarchiesWithCombinedControllers() {
        let layout = CgroupLayout.detect(
            procCgroup: Self.hybridMembership, mountInfo: Self.hybridMounts, fileSystem: FakeCgroupFileSystem()
        )
        #expect(
            layout
                == .v1(directories: [
                    "cpu": "/sys/fs/cgroup/cpu,cpuacct/user.slice", "cpuacct": "/sys/fs/cgroup/cpu,cpuacct/user.slice",
                    "memory": "/sys/fs/cgroup/memory/user.slice/session-2.scope",
                    "pids": "/sys/fs/cgroup/pids/user.slice",
                    "freezer": "/sys/fs/cgroup/freezer",
                ]))
    }

    @Test func unifiedHostUsesV2WhenItHasTheControllers() throws {
        let fileSystem = FakeCgroupFileSystem()
        try fileSystem.write("cpuset cpu io memory hugetlb pids rdma misc", to: "/sys/fs/cgroup/cgroup.controllers")
        let layout = CgroupLayout.detect(
            procCgroup: "0::/system.slice/cibox.service\n",
            mountInfo: "25 30 0:22 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate\n", fileSystem: fileSystem
        )
        guard case .v2(let directory, let controllers) = layout else {
            Issue.record("expected v2, got \(layout)")
            return
        }
        #expect(directory == "/sys/fs/cgroup/system.slice/cibox.service")
        #expect(controllers.isSuperset(of: ["cpu", "memory", "pids"]))
    }

    @Test func noCgroupsSaysWhy() {
        let layout = CgroupLayout.detect(procCgroup: "", mountInfo: "", fileSystem: FakeCgroupFileSystem())
        #expect(layout == .unavailable(reason: "no cgroup file system is mounted"))
    }

    @Test func v2JobGroupGetsItsLimitsUnderCiboxJobs() throws {
        let fileSystem = FakeCgroupFileSystem()
        let own = "/sys/fs/cgroup/system.slice/cibox.service"
        try fileSystem.write("4242\n", to: own + "/cgroup.procs")
        fileSystem.failing.withLock { $0 = [own + "/cgroup.subtree_control"] }
        let manager = CgroupManager(
            layout: .v2(directory: own, controllers: ["cpu", "memory", "pids"]), fileSystem: fileSystem)
        // cibox is alone in its cgroup: it moves itself into a leaf, then hands the controllers down.
        let group = try manager.makeGroup(
            named: "job-7", limits: ResourceLimits(millicores: 500, memoryBytes: 64 << 20, pids: 64, cpuWeight: 400))
        #expect(group.mode == .cgroup2)
        #expect(group.procsFiles == [own + "/cibox-jobs/job-7/cgroup.procs"])
        let writes = fileSystem.writes.withLock { $0 }
        #expect(writes.contains(own + "/cibox-jobs/job-7/cpu.max <- 50000 100000"))
        #expect(writes.contains(own + "/cibox-jobs/job-7/cpu.weight <- 400"))
        #expect(writes.contains(own + "/cibox-jobs/job-7/memory.max <- 67108864"))
        #expect(writes.contains(own + "/cibox-jobs/job-7/pids.max <- 64"))
        #expect(writes.contains(own + "/cibox-jobs/cgroup.subtree_control <- +cpu +memory +pids"))
        #expect(writes.contains { $0.hasPrefix(own + "/cibox-supervisor/cgroup.procs <- ") })
        #expect(writes.contains(own + "/cgroup.subtree_control <- +cpu +memory +pids"))
    }

    @Test func v2RefusesWhenItsCgroupHoldsOtherProcesses() {
        let fileSystem = FakeCgroupFileSystem()
        let own = "/sys/fs/cgroup/user.slice/session-1.scope"
        try? fileSystem.write("100\n200\n4242\n", to: own + "/cgroup.procs")
        fileSystem.refusing.withLock { $0 = [own + "/cgroup.subtree_control"] }
        let manager = CgroupManager(
            layout: .v2(directory: own, controllers: ["cpu", "memory", "pids"]), fileSystem: fileSystem)
        #expect(throws: CgroupError.self) {
            _ = try manager.makeGroup(named: "job-1", limits: ResourceLimits(millicores: 1000, memoryBytes: 1 << 30))
        }
    }

    @Test func v1JobGroupWritesQuotaMemoryWithoutSwapAndPids() throws {
        let fileSystem = FakeCgroupFileSystem()
        try fileSystem.write("9223372036854771712", to: "/m/cibox/job-3/memory.memsw.limit_in_bytes")
        let manager = CgroupManager(
            layout: .v1(directories: ["cpu": "/c", "memory": "/m", "pids": "/p", "freezer": "/f"]),
            fileSystem: fileSystem
        )
        let group = try manager.makeGroup(
            named: "job-3", limits: ResourceLimits(millicores: 1500, memoryBytes: 2 << 30, pids: 100))
        #expect(group.mode == .cgroup1)
        #expect(
            group.procsFiles.sorted() == [
                "/c/cibox/job-3/cgroup.procs", "/f/cibox/job-3/cgroup.procs", "/m/cibox/job-3/cgroup.procs",
                "/p/cibox/job-3/cgroup.procs",
            ])
        let writes = fileSystem.writes.withLock { $0 }
        #expect(writes.contains("/c/cibox/job-3/cpu.cfs_quota_us <- 150000"))
        #expect(writes.contains("/c/cibox/job-3/cpu.shares <- 1024"))
        #expect(writes.contains("/m/cibox/job-3/memory.limit_in_bytes <- 2147483648"))
        #expect(writes.contains("/m/cibox/job-3/memory.memsw.limit_in_bytes <- 2147483648"))
        #expect(writes.contains("/p/cibox/job-3/pids.max <- 100"))
    }
}

@Suite struct CPUWeightTests {
    @Test func prePushJobsOutweighPeopleAndPeopleOutweighPushes() {
        #expect(ResourceLimits.cpuWeight(for: .prePush) == 400)
        #expect(ResourceLimits.cpuWeight(for: .manual) == 200)
        #expect(ResourceLimits.cpuWeight(for: .push) == 100)
    }

    @Test func limitsWrittenBeforeTheWeightExistedDecodeWithTheDefault() throws {
        let old = Data(#"{"millicores":1000,"memoryBytes":1024,"pids":10}"#.utf8)
        #expect(try JSONDecoder().decode(ResourceLimits.self, from: old).cpuWeight == 100)
    }
}
