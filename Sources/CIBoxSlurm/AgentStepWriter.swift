// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
import CIBoxExecutor
import Foundation

/// When a step started, as the agent writes it (`steps/<index>.started`).
struct StepStart: Codable, Equatable {
    /// The moment.
    var at: Date
}

/// The agent's observer: writes each step's start and end into the job's folder, where cibox reads them back.
/// Each file is written whole under a temporary name and renamed, so a reader never sees part of one.
struct AgentStepWriter: JobObserver {
    let folder: SlurmJobFolder

    func stepStarted(jobID: Int64, index: Int, at date: Date) async {
        write(StepStart(at: date), to: folder.startedFile(step: index))
    }

    func stepFinished(jobID: Int64, index: Int, result: StepResult) async {
        write(result, to: folder.resultFile(step: index))
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
