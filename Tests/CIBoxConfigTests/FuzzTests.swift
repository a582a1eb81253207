// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
import CIBoxConfig
import CIBoxModel
import CIBoxTestSupport
import Foundation
import Testing

/// Mutated corpus configs and random YAML never crash or hang the compiler.
@Suite struct FuzzTests {
    static let environment = ProcessInfo.processInfo.environment
    static let seed = environment["CIBOX_FUZZ_SEED"].flatMap { UInt64($0) } ?? UInt64.random(in: 1...UInt64.max / 2)
    static let cases = environment["CIBOX_FUZZ_CASES"].flatMap { Int($0) } ?? 2_000

    static let bases: [String] = {
        var texts = [
            "version: 2.1\njobs:\n  a:\n    parameters: {p: {type: string, default: x}}\n    docker: [{image: i}]\n"
                + "    steps: [checkout, {run: \"echo << parameters.p >>\"}]\n"
                + "workflows:\n  w:\n    jobs: [{a: {matrix: {parameters: {p: [a, b]}}}}]\n"
        ]
        guard Corpus.isAvailable else { return texts }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: Corpus.configs)) ?? []
        for name in names.sorted() where name.hasSuffix(".yml") {
            if let text = try? String(contentsOfFile: "\(Corpus.configs)/\(name)", encoding: .utf8),
                text.count < 20_000
            {
                texts.append(text)
            }
        }
        return texts
    }()

    static let fragments = [
        "<<", ">>", "<< parameters.p >>", "<<# parameters.p >>", "<</ parameters.p >>", "&a", "*a", "<<: *a", "- ",
        ": ", "{", "}", "[", "]", "\"", "'", "\\", "\n", "  ", "\t", "steps:", "- when:", "matrix:", "~", "null",
        "orbs:\n  x: {}\n", "commands:\n  c: {steps: [c]}\n", "\u{0}", "é", "#",
    ]

    static func mutate(_ text: String, _ random: inout SeededGenerator) -> String {
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        for _ in 0..<Int.random(in: 1...4, using: &random) where !lines.isEmpty {
            let index = Int.random(in: 0..<lines.count, using: &random)
            switch Int.random(in: 0..<7, using: &random) {
            case 0: lines.remove(at: index)
            case 1: lines.insert(lines[index], at: index)
            case 2: lines.swapAt(index, Int.random(in: 0..<lines.count, using: &random))
            case 3:
                var bytes = Array(lines[index].utf8)
                let position = bytes.isEmpty ? 0 : Int.random(in: 0..<bytes.count, using: &random)
                bytes.insert(UInt8.random(in: 0...255, using: &random), at: position)
                lines[index] = String(decoding: bytes, as: UTF8.self)
            case 4:
                lines[index] += fragments.randomElement(using: &random) ?? ""
            case 5:
                let depth = Int.random(in: 10...5_000, using: &random)
                lines.insert("deep: " + String(repeating: "[", count: depth), at: index)
            default:
                let huge = Int.random(in: 0..<40, using: &random) == 0
                lines.insert(contentsOf: aliasBomb(levels: huge ? 12 : Int.random(in: 2...4, using: &random)), at: 0)
            }
        }
        return lines.joined(separator: "\n")
    }

    /// "Billion laughs": each level lists the previous one ten times.
    static func aliasBomb(levels: Int) -> [String] {
        var lines = ["bomb0: &b0 [lol, lol]"]
        for level in 1..<levels {
            let previous = Array(repeating: "*b\(level - 1)", count: 10).joined(separator: ", ")
            lines.append("bomb\(level): &b\(level) [\(previous)]")
        }
        return lines
    }

    @Test(arguments: [9, 14])
    func aliasBombsStopAtTheNodeBudget(_ levels: Int) {
        let text = (Self.aliasBomb(levels: levels) + ["version: 2.1", "jobs: {a: {steps: [checkout]}}"]).joined(
            separator: "\n")
        let started = ContinuousClock.now
        let result = ConfigCompiler.compile(ConfigSource(path: "bomb.yml", text: text), values: testValues)
        #expect(ContinuousClock.now - started < .seconds(10))
        #expect(
            result.diagnostics.first?.message == "the config expands to more than 1000000 YAML nodes through aliases")
    }

    @Test func deepNestingIsAnError() {
        let text = "version: 2.1\njobs: " + String(repeating: "[", count: 100_000)
        #expect(
            ConfigCompiler.compile(ConfigSource(path: "deep.yml", text: text), values: testValues).diagnostics
                .map(\.formatted) == ["deep.yml:2:1: error: the YAML nests more than 200 levels deep"])
    }

    static func randomYAML(_ random: inout SeededGenerator) -> String {
        (0..<Int.random(in: 1...60, using: &random)).map { _ in fragments.randomElement(using: &random) ?? "" }
            .joined()
    }

    /// How long the fuzzer runs: `CIBOX_FUZZ_SECONDS` (default 20; CI's `make test` gives it 60).
    static let seconds = environment["CIBOX_FUZZ_SECONDS"].flatMap { Double($0) } ?? 20
    /// Where each case is written before it is compiled, so that a crash leaves its input behind.
    static let reproducer = NSTemporaryDirectory() + "/cibox-fuzz-case-\(getpid()).yml"
    /// A case that takes this long is a hang: the watchdog ends the test process, naming the case.
    static let hangLimit = 10.0

    @Test func mutatedAndRandomConfigsNeverCrashOrHang() {
        print(
            "FuzzTests seed: \(Self.seed) (set CIBOX_FUZZ_SEED to replay, CIBOX_FUZZ_CASES to stop after N cases), "
                + "for \(Self.seconds) s; each case is written to \(Self.reproducer) before it runs")
        var random = SeededGenerator(state: Self.seed)
        let started = ContinuousClock.now
        let watchdog = Watchdog(limit: Self.hangLimit, seed: Self.seed, reproducer: Self.reproducer)
        defer { watchdog.stop() }
        var slowest: (Duration, Int) = (.zero, -1)
        var number = 0
        // CIBOX_FUZZ_CASES replays a fixed number of cases (with CIBOX_FUZZ_SEED); otherwise the time decides.
        let byCount = Self.environment["CIBOX_FUZZ_CASES"] != nil
        while byCount ? number < Self.cases : ContinuousClock.now - started < .seconds(Self.seconds) {
            let text: String
            if number % 5 == 4 {
                text = Self.randomYAML(&random)
            } else {
                let base = Self.bases[Int.random(in: 0..<Self.bases.count, using: &random)]
                text = Self.mutate(base, &random)
            }
            try? FileWriter.write(text, to: Self.reproducer)
            watchdog.begin(number)
            let caseStart = ContinuousClock.now
            let result = ConfigCompiler.compile(
                ConfigSource(path: "fuzz.yml", text: text), values: testValues,
                parameters: [:], options: CompileOptions(allowMissingOrbs: number % 2 == 0))
            let elapsed = ContinuousClock.now - caseStart
            watchdog.end()
            if elapsed > slowest.0 { slowest = (elapsed, number) }
            #expect((result.configuration == nil) == result.diagnostics.containsError, "case \(number)")
            #expect(elapsed < .seconds(5), "case \(number) took \(elapsed) (seed \(Self.seed))")
            number += 1
        }
        unlink(Self.reproducer)
        print("FuzzTests: \(number) cases in \(ContinuousClock.now - started); slowest \(slowest.0) (#\(slowest.1))")
    }
}

/// Ends the test process when one fuzz case runs past its limit, naming the case, the seed and its input file:
/// a hang would otherwise stall the whole suite until CI's time limit.
final class Watchdog: @unchecked Sendable {
    // Invariant: `current` and `stopped` are only touched under `lock`.
    private let lock = NSLock()
    private var current: (number: Int, since: Date)?
    private var stopped = false

    init(limit: Double, seed: UInt64, reproducer: String) {
        let thread = Thread { [self] in
            while true {
                Thread.sleep(forTimeInterval: 0.25)
                lock.lock()
                let (running, done) = (current, stopped)
                lock.unlock()
                if done { return }
                if let running, Date().timeIntervalSince(running.since) > limit {
                    FileHandle.standardError.write(
                        Data(
                            ("FuzzTests: case \(running.number) of seed \(seed) hangs (over \(limit) s); its input is "
                                + "in \(reproducer)\n").utf8))
                    exit(70)
                }
            }
        }
        thread.start()
    }

    func begin(_ number: Int) {
        lock.lock()
        current = (number, Date())
        lock.unlock()
    }

    func end() {
        lock.lock()
        current = nil
        lock.unlock()
    }

    func stop() {
        lock.lock()
        stopped = true
        lock.unlock()
    }
}
