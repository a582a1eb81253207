// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
import CIBoxExecutor
import Foundation
import Synchronization

/// When a step started, as the agent writes it (`steps/<index>.started`).
struct StepStart: Codable, Equatable {
    /// The moment.
    var at: Date
    /// The event's place among the job's step events (the order cibox reports them in).
    var sequence: Int
}

/// How a step ended, as the agent writes it (`steps/<index>.json`).
struct StepEnd: Codable, Equatable {
    /// The step's result.
    var result: StepResult
    /// The event's place among the job's step events.
    var sequence: Int
}

/// The agent's observer: writes each step's start and end into the job's folder, where cibox reads them back, each
/// with its place in the order the runner told them (a background step ends after the steps that ran beside it).
/// Each file is written whole under a temporary name and renamed, so a reader never sees part of one.
final class AgentStepWriter: JobObserver {
    let folder: SlurmJobFolder
    private let sequence = Mutex(0)

    init(folder: SlurmJobFolder) {
        self.folder = folder
    }

    func stepStarted(jobID: Int64, index: Int, at date: Date) async {
        write(StepStart(at: date, sequence: next()), to: folder.startedFile(step: index))
    }

    func stepFinished(jobID: Int64, index: Int, result: StepResult) async {
        write(StepEnd(result: result, sequence: next()), to: folder.resultFile(step: index))
    }

    private func next() -> Int {
        sequence.withLock { value in
            value += 1
            return value
        }
    }

    private func write(_ value: some Encodable, to path: String) {
        guard let data = try? AgentFiles.encode(value) else { return }
        do {
            try FileWriter.replace(String(decoding: data, as: UTF8.self), at: path)
        } catch {
            // cibox then sees the step end with the job; the agent's own output says what went wrong.
            FileHandle.standardError.write(Data("cibox agent: cannot write '\(path)': \(error)\n".utf8))
        }
    }
}
