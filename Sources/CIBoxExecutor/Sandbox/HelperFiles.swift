// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxArchives
import CIBoxBasics
package import CIBoxTestResults
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The built-in steps' file work done by a helper process in the job's sandbox, as the job's user: `cibox agent files
/// …` (see ``JobFileOperations``), started exactly as a step is. cibox itself only touches files of its own: the
/// archives it hands over as standard input, and the files the helper's standard output and error go to, all opened
/// by cibox in its control folder and passed as descriptors.
package struct HelperFiles: SandboxFiles {
    /// Where the helper runs.
    let sandbox: any JobSandbox
    /// The words that start the `cibox` program in the sandbox (the helper is `cibox agent files`): its path, or a
    /// loader and its arguments then its path.
    let program: [String]
    /// The job's home (artifacts are taken only from inside it, links included).
    let home: String
    /// cibox's folder for the job's temporary files.
    let scratch: String
    /// Environment of the helper.
    let environment: [String: String]
    /// How the checkout reaches the job (see ``HelperCheckout``): cibox's staging folder, the job's control folder,
    /// the job's user, the folders bound into its view.
    let staging: String
    let handoff: HelperCheckout.Handoff
    let runAs: (uid: UInt32, gid: UInt32)?
    let binds: [AgentSetup.Bind]

    /// Makes the file work of `sandbox`.
    /// - Parameters:
    ///   - home: the folder `store_artifacts` may take from (links included); `/` in a container, all the job's.
    ///   - scratch: cibox's folder for the helper's output files.
    ///   - staging: cibox's folder a checkout is written in first.
    ///   - handoff: where a checkout is handed to the job.
    ///   - runAs: who the checkout is given to.
    package init(
        sandbox: any JobSandbox, program: [String], home: String, scratch: String, environment: [String: String],
        staging: String, handoff: HelperCheckout.Handoff, runAs: (uid: UInt32, gid: UInt32)?,
        binds: [AgentSetup.Bind] = []
    ) {
        self.sandbox = sandbox
        self.program = program
        self.home = home
        self.scratch = scratch
        self.environment = environment
        self.staging = staging
        self.handoff = handoff
        self.runAs = runAs
        self.binds = binds
    }

    /// What one helper run gave.
    struct Outcome {
        var status: Int
        var output: [UInt8]
        var notes: [String]
        var error: String?

        /// The error when the helper refused a path (the job's user may not read it), else nil.
        var refusal: ExecutorError? {
            guard let error, status == Int(JobFileOperations.refusedStatus) else { return nil }
            return ExecutorError(.refused, error)
        }
    }

    /// Runs `cibox agent files ARGUMENTS` with `input` as standard input and, when given, `output` (a file of cibox's)
    /// as standard output (else a temporary file, read back).
    func run(_ arguments: [String], input: Int32? = nil, outputFile: String? = nil) async throws(ExecutorError)
        -> Outcome
    {
        let stem = "\(scratch)/helper-\(UUID().uuidString.prefix(8))"
        let outputPath = outputFile ?? stem + ".out"
        let errorPath = stem + ".err"
        defer {
            if outputFile == nil { unlink(outputPath) }
            unlink(errorPath)
        }
        let output = open(outputPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        let errors = open(errorPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        defer {
            if output >= 0 { close(output) }
            if errors >= 0 { close(errors) }
        }
        guard output >= 0, errors >= 0 else {
            throw ExecutorError(
                .io, "Cannot make the helper's files in '\(scratch)': \(String(cString: strerror(errno))).")
        }
        let process = try await sandbox.spawn(
            SandboxCommand(
                program: program[0], arguments: program.dropFirst() + ["agent", "files"] + arguments,
                environment: environment,
                directory: "/", output: output, errorOutput: errors, input: input))
        let ended = await withTaskCancellationHandler {
            await process.exited()
        } onCancel: {
            process.signal(SIGKILL)
        }
        process.close()
        let lines = String(decoding: FileReader.contents(atPath: errorPath) ?? [], as: UTF8.self)
            .split(separator: "\n").map(String.init)
        return Outcome(
            status: ended.exitCode, output: outputFile == nil ? FileReader.contents(atPath: outputPath) ?? [] : [],
            notes: lines.filter { $0.hasPrefix("note: ") }.map { String($0.dropFirst(6)) },
            error: lines.last { $0.hasPrefix("error: ") }.map { String($0.dropFirst(7)) }
                ?? (ended.exitCode == 0 ? nil : "the helper ended with status \(ended.exitCode)"))
    }

    /// Runs `arguments` and returns its standard output as text, or throws its error.
    private func text(_ arguments: [String]) async throws(ExecutorError) -> String {
        let outcome = try await run(arguments)
        if let error = outcome.error { throw ExecutorError(.io, error) }
        return String(decoding: outcome.output, as: UTF8.self)
    }

    package func kind(of path: String) async -> FileKind? {
        switch (try? await text(["kind", path]))?.trimmingCharacters(in: .whitespacesAndNewlines) {
        case "file": .file
        case "folder": .folder
        case "link": .link
        case "other": .other
        default: nil
        }
    }

    package func sha256(of path: String) async throws(ExecutorError) -> [UInt8] {
        let hex = try await text(["sha256", path]).trimmingCharacters(in: .whitespacesAndNewlines)
        var bytes: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex, let next = hex.index(index, offsetBy: 2, limitedBy: hex.endIndex),
            let byte = UInt8(hex[index..<next], radix: 16)
        {
            bytes.append(byte)
            index = next
        }
        return bytes
    }

    package func glob(_ pattern: String, root: String) async throws(ExecutorError) -> [String] {
        let outcome = try await run(["glob", root, pattern])
        if let refusal = outcome.refusal { throw refusal }
        if outcome.error != nil { return [] }
        return String(decoding: outcome.output, as: UTF8.self).split(separator: "\0").map(String.init)
    }

    package func archive(_ sources: [(path: String, name: String)], to archive: String, note: (String) -> Void)
        async throws(ExecutorError)
    {
        let outcome = try await run(["archive"] + sources.flatMap { [$0.path, $0.name] }, outputFile: archive)
        outcome.notes.forEach(note)
        if let error = outcome.error { throw ExecutorError(.archive, error) }
    }

    package func extract(_ archive: String, into directory: String) async throws(ExecutorError) -> Int {
        let input = open(archive, O_RDONLY | O_CLOEXEC)
        guard input >= 0 else {
            throw ExecutorError(.io, "Cannot read '\(archive)': \(String(cString: strerror(errno))).")
        }
        defer { close(input) }
        let outcome = try await run(["extract", directory], input: input)
        if let error = outcome.error { throw ExecutorError(.archive, error) }
        return Int(String(decoding: outcome.output, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
    }

    package func measure(_ source: String) async throws(ExecutorError) -> ExportSize {
        let fields = try await text(["measure", source, home]).split(whereSeparator: { $0 == " " || $0 == "\n" })
            .compactMap { Int64($0) }
        guard fields.count == 3 else { throw ExecutorError(.io, "cannot measure '\(source)'") }
        return ExportSize(files: Int(fields[0]), apparentBytes: fields[1], allocatedBytes: fields[2])
    }

    package func export(_ source: String, to target: String, note: (String) -> Void) async throws(ExecutorError) -> Int
    {
        let temporary = "\(scratch)/export-\(UUID().uuidString.prefix(8)).tar"
        defer { unlink(temporary) }
        let outcome = try await run(["export", source, home, Paths.lastComponent(target)], outputFile: temporary)
        outcome.notes.forEach(note)
        if let error = outcome.error { throw ExecutorError(.io, error) }
        let count = try archiving { () throws(ArchiveError) in
            try ArchiveExtractor.extract(temporary, into: Paths.parent(target), keepingHoles: true)
        }
        // Stored artifacts are cibox's files, whatever modes the job gave them.
        FileModes.makePrivate(target)
        return count
    }

    package func readTestResults(at path: String) async throws(ExecutorError) -> JUnitReport {
        let folder = "\(scratch)/tests-\(UUID().uuidString.prefix(8))"
        let temporary = folder + ".tar"
        defer {
            unlink(temporary)
            FolderTree.remove(folder)
        }
        let outcome: Outcome
        do {
            outcome = try await run(["collect", path], outputFile: temporary)
        } catch {
            return JUnitReport(warnings: [error.message])
        }
        if let refusal = outcome.refusal { throw refusal }
        if let error = outcome.error { return JUnitReport(warnings: [error]) }
        do {
            try archiving { () throws(ArchiveError) in _ = try ArchiveExtractor.extract(temporary, into: folder) }
        } catch {
            return JUnitReport(warnings: [error.message])
        }
        var report = JUnitParser.read(path: folder)
        // The files were copied under their own paths: name them as the job knows them.
        report.files = report.files.map { String($0.dropFirst(folder.count)) }
        report.warnings = report.warnings.map { $0.replacingOccurrences(of: folder + "/", with: "/") }
        return report
    }

    package func checkout(_ source: any SourceCheckout, into directory: String) async throws -> String {
        try await HelperCheckout(files: self, staging: staging, handoff: handoff, runAs: runAs, binds: binds)
            .checkout(source, into: directory)
    }
}

/// What `store_artifacts` would store: its files, and their bytes as read and as they take disk.
package struct ExportSize: Sendable, Equatable {
    /// Regular files.
    package var files: Int
    /// Bytes as they read (a sparse file's whole length).
    package var apparentBytes: Int64
    /// Bytes they take on disk (a sparse file's holes take none).
    package var allocatedBytes: Int64
}
