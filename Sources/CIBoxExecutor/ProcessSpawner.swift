// cibox — CI in a box. MIT licence, see LICENSE.

internal import CSpawn
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// How to start one process of a job.
struct SpawnRequest {
    /// Absolute path of the program.
    var executable: String
    /// Arguments after argv[0].
    var arguments: [String]
    /// The whole environment of the child.
    var environment: [String: String]
    /// Working folder.
    var directory: String
    /// Descriptors for standard input, output and error.
    var stdin: Int32
    var stdout: Int32
    var stderr: Int32
    /// A descriptor the child gets as 3 (an OCI runtime's `--preserve-fds 1`), if any.
    var extraDescriptor: Int32?
    /// The child's umask; nil keeps cibox's (077).
    var fileMask: Int32?
    /// `cgroup.procs` files to join before exec.
    var cgroupProcsFiles: [String] = []
    /// The user and group to switch to before exec; nil keeps cibox's.
    var user: (uid: UInt32, gid: UInt32)?
}

/// Starts processes through the C shim: new session, cgroups joined before exec, clean descriptors.
package enum ProcessSpawner {
    /// Starts `request` and returns the child's pid (also its process group and session id).
    /// - Throws: `ExecutorError.spawnFailed` naming the program and the failing stage.
    static func spawn(_ request: SpawnRequest) throws(ExecutorError) -> pid_t {
        let argv = [request.executable] + request.arguments
        let envp = request.environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        var pid: pid_t = 0
        var failedErrno: Int32 = 0
        var stage: Int32 = 0
        let status = withCStringArray(argv) { argvPointer in
            withCStringArray(envp) { envPointer in
                withCStringArray(request.cgroupProcsFiles) { cgroupPointer in
                    request.executable.withCString { path in
                        request.directory.withCString { directory in
                            UnsafeRawPointer(cgroupPointer.baseAddress).map {
                                $0.assumingMemoryBound(to: UnsafePointer<CChar>?.self)
                            }.map { cgroups in
                                var options = cibox_spawn_options()
                                options.path = path
                                options.argv = UnsafePointer(argvPointer.baseAddress)
                                options.envp = UnsafePointer(envPointer.baseAddress)
                                options.cwd = directory
                                options.stdin_fd = request.stdin
                                options.stdout_fd = request.stdout
                                options.stderr_fd = request.stderr
                                options.extra_fd = request.extraDescriptor ?? -1
                                options.umask_value = request.fileMask ?? -1
                                options.cgroup_procs = cgroups
                                options.cgroup_count = request.cgroupProcsFiles.count
                                options.uid = request.user.map { Int($0.uid) } ?? -1
                                options.gid = request.user.map { Int($0.gid) } ?? -1
                                return cibox_spawn(&options, &pid, &failedErrno, &stage)
                            } ?? Int32(-1)
                        }
                    }
                }
            }
        }
        guard status == 0 else {
            let stageName = String(cString: cibox_spawn_stage_name(stage))
            let reason = String(cString: strerror(failedErrno))
            throw ExecutorError(
                .spawnFailed,
                "Cannot start '\(request.executable)' in '\(request.directory)': \(stageName) failed: \(reason)."
            )
        }
        return pid
    }

    /// Calls `body` with a NULL-terminated array of C strings that live for the call.
    private static func withCStringArray<R>(
        _ strings: [String],
        _ body: (UnsafeMutableBufferPointer<UnsafeMutablePointer<CChar>?>) -> R
    ) -> R {
        let pointers = strings.map { strdup($0) } + [nil]
        defer { pointers.forEach { free($0) } }
        var mutable = pointers
        return mutable.withUnsafeMutableBufferPointer { body($0) }
    }

    /// Makes cibox a child subreaper so that orphaned job processes are reparented to it, not to init.
    static func becomeSubreaper() {
        _ = cibox_set_child_subreaper()
    }
}

extension ProcessSpawner {
    /// Runs `arguments` (a program's path, then its arguments) to its end with its output and errors in the file
    /// at `outputPath`, outside any job; returns its exit status (127 when it cannot start). Cheaper than
    /// swift-subprocess for a runtime's short commands on a job's critical path (`runc delete`): one spawn, one wait.
    package static func runToEnd(_ arguments: [String], outputPath: String) -> Int32 {
        let output = open(outputPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        let devNull = open("/dev/null", O_RDONLY | O_CLOEXEC)
        defer {
            if output >= 0 { close(output) }
            if devNull >= 0 { close(devNull) }
        }
        guard output >= 0, devNull >= 0, let program = arguments.first,
            let pid = try? ChildProcesses.spawnMonitored({ () throws(ExecutorError) -> Int32 in
                try spawn(
                    SpawnRequest(
                        executable: program, arguments: Array(arguments.dropFirst()),
                        environment: ["PATH": "/usr/sbin:/usr/bin:/sbin:/bin"], directory: "/", stdin: devNull,
                        stdout: output, stderr: output))
            })
        else { return 127 }
        var status: Int32 = 0
        while cibox_waitpid(pid, &status, 0) < 0, errno == EINTR {}
        ChildProcesses.unregister(pid)
        return cibox_exit_code(status)
    }
}
