// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

extension Scenarios {
    /// The one-job `cibox run` (checkout + `true`) split into its phases: each run writes its marks
    /// (``PhaseMarks``, `CIBOX_PHASES`), and each phase's row is the median, over the runs, of the time from the
    /// mark before it, against the whole run's median. "process start" is from the spawn to `main`; "exit" from
    /// the last mark to the process's end.
    static func phases(_ context: BenchContext) throws -> [BenchRow] {
        let repository = try BenchFixtures.oneJobRepository()
        let home = try BenchFixtures.temporaryFolder("cibox-bench-home")
        let marks = try BenchFixtures.temporaryFolder("cibox-bench-phases")
        defer {
            for folder in [repository, home, marks] { try? FileManager.default.removeItem(atPath: folder) }
        }
        let binary = BenchFixtures.ciboxBinary
        // The first run makes the home and the project: not what a later run pays.
        try spawnAndWait(binary, ["run", repository, "--home", home], quiet: true)
        var runs: [[(String, Double)]] = []
        for index in 0..<max(1, context.iterations) {
            let file = "\(marks)/\(index)"
            setenv("CIBOX_PHASES", file, 1)
            defer { unsetenv("CIBOX_PHASES") }
            let spawned = PhaseMarks.now()
            try spawnAndWait(binary, ["run", repository, "--home", home], quiet: true)
            let ended = PhaseMarks.now()
            runs.append(try PhaseTimeline.read(file, spawned: spawned, ended: ended))
        }
        let timeline = PhaseTimeline(runs: runs)
        let whole = median(runs.map { $0.reduce(0) { $0 + $1.1 } })
        return timeline.names.map { name in
            BenchRow(
                scenario: "one-job phase: \(name)", figure: timeline.median(of: name), baseline: whole, unit: "ms",
                baselineName: "whole run, median of \(runs.count)", goal: "—")
        }
    }
}

/// The phases of several runs of one command, read from their mark files.
struct PhaseTimeline {
    /// Each run's phases in order: name and milliseconds.
    var runs: [[(String, Double)]]

    /// The phases' names in the order of the first run, with those only later runs have after them.
    var names: [String] {
        var seen: [String] = []
        for run in runs { for (name, _) in run where !seen.contains(name) { seen.append(name) } }
        return seen
    }

    /// The median over the runs of phase `name` (a run without it counts as 0).
    func median(of name: String) -> Double {
        Scenarios.median(runs.map { run in run.filter { $0.0 == name }.reduce(0) { $0 + $1.1 } })
    }

    /// One run's phases from its mark file: the process that marked first is the one started at `spawned`
    /// (others, such as a helper it starts, are left out); a phase's time is from the mark before.
    static func read(_ path: String, spawned: UInt64, ended: UInt64) throws -> [(String, Double)] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let lines = text.split(separator: "\n").map { $0.split(separator: " ", maxSplits: 2) }.filter { $0.count == 3 }
        guard let first = lines.first else { throw BenchError("\(path): no marks (is CIBOX_PHASES read?)") }
        var phases: [(String, Double)] = []
        var previous = spawned
        for line in lines where line[0] == first[0] {
            guard let time = UInt64(line[1]) else {
                throw BenchError("\(path): bad mark '\(line.joined(separator: " "))'")
            }
            let name = line[2] == "main" ? "process start (spawn → main)" : String(line[2])
            phases.append((name, Double(time &- previous) / 1e6))
            previous = time
        }
        phases.append(("exit (last mark → process end)", Double(ended &- previous) / 1e6))
        return phases
    }
}
