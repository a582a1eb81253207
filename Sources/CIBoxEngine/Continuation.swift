// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
import Foundation

/// What a setup job asks for when it continues its pipeline (`continuation/continue`, `circleci-agent continue`).
package struct ContinuationRequest: Codable, Sendable, Equatable {
    /// The config file as the job named it (for messages and diagnostics).
    package var configurationPath: String
    /// The config's text, read when the job asked (the job's folder is gone by the time it runs).
    package var configuration: String
    /// Pipeline parameters for the continued config, as strings (`true`, `3`, `text`).
    package var parameters: [String: String]
    /// Whether this is `continuation/finish`: the pipeline ends with its setup workflow, and cannot be continued.
    package var finishes: Bool? = nil
}

/// The local stand-in for CircleCI's "continue a pipeline" endpoint: a setup job writes one request into
/// the file named by `CIBOX_CONTINUATION_FILE`; when the setup workflow has succeeded, the engine compiles
/// that config with those parameters and runs it in the same pipeline.
package enum Continuation {
    /// The variable that names the request file inside a setup job.
    package static let fileVariable = "CIBOX_CONTINUATION_FILE"

    /// The request file of pipeline `pipelineID`.
    package static func file(home: String, pipelineID: Int64) -> String {
        "\(home)/continuations/\(pipelineID).json"
    }

    /// Records a continuation from inside a job.
    /// - Parameters:
    ///   - configurationPath: the config to continue with, relative to `directory` unless absolute.
    ///   - parameters: a JSON object, or the path of a file holding one.
    ///   - directory: the job step's working folder.
    ///   - environment: the job's environment (must name the request file).
    /// - Throws: ``EngineError`` with a message for the job's log.
    package static func submit(
        configurationPath: String, parameters: String, directory: String, environment: [String: String]
    ) throws(EngineError) {
        try submit(
            configurationPath: configurationPath, parameters: try parseParameters(parameters, directory: directory),
            directory: directory, environment: environment
        )
    }

    /// Records a continuation with parameters already parsed; see the other `submit`.
    package static func submit(
        configurationPath: String, parameters: [String: String], directory: String, environment: [String: String]
    ) throws(EngineError) {
        let file = try requestFile(environment)
        let configPath = Paths.absolute(configurationPath, relativeTo: directory)
        guard let data = FileManager.default.contents(atPath: configPath),
            let configuration = String(validating: data, as: UTF8.self)
        else {
            throw EngineError(
                .noConfig, "Cannot read the continuation config '\(configPath)'. Generate it before continuing.")
        }
        let request = ContinuationRequest(
            configurationPath: configurationPath, configuration: configuration, parameters: parameters
        )
        try write(request, to: file)
    }

    /// Records that the pipeline ends with its setup workflow (`continuation/finish`, `circleci-agent finish`):
    /// no continuation runs, and none may be recorded after it.
    /// - Parameter environment: the job's environment (must name the request file).
    /// - Throws: ``EngineError`` with a message for the job's log.
    package static func finish(environment: [String: String]) throws(EngineError) {
        let file = try requestFile(environment)
        var request = ContinuationRequest(configurationPath: "", configuration: "", parameters: [:])
        request.finishes = true
        try write(request, to: file)
    }

    /// The request file named by the job's environment, when no continuation was recorded yet.
    private static func requestFile(_ environment: [String: String]) throws(EngineError) -> String {
        guard let file = environment[fileVariable], !file.isEmpty else {
            throw EngineError(
                .nothingToRun,
                "This job cannot continue a pipeline: it is not part of a setup workflow run by cibox (\(fileVariable) is not set)."
            )
        }
        guard !FileManager.default.fileExists(atPath: file) else {
            throw EngineError(
                .nothingToRun, "This pipeline was already continued; CircleCI allows one continuation per pipeline.")
        }
        return file
    }

    /// Writes `request` to `file`.
    private static func write(_ request: ContinuationRequest, to file: String) throws(EngineError) {
        do {
            try FileManager.default.createDirectory(
                atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true
            )
            try JSONEncoder().encode(request).write(to: URL(fileURLWithPath: file), options: .atomic)
        } catch {
            throw EngineError(
                .store, "Cannot record the continuation in '\(file)': \(error.localizedDescription)", cause: error)
        }
    }

    /// The request recorded for pipeline `pipelineID`, if any.
    package static func request(home: String, pipelineID: Int64) -> ContinuationRequest? {
        guard let data = FileManager.default.contents(atPath: file(home: home, pipelineID: pipelineID)) else {
            return nil
        }
        return try? JSONDecoder().decode(ContinuationRequest.self, from: data)
    }

    /// Parses `text` (a JSON object, or a path to a file holding one) into string parameters.
    static func parseParameters(_ text: String, directory: String) throws(EngineError) -> [String: String] {
        var json = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if json.isEmpty { json = "{}" }
        if !json.hasPrefix("{") {
            let path = Paths.absolute(json, relativeTo: directory)
            guard let data = FileManager.default.contents(atPath: path) else {
                throw EngineError(
                    .noConfig, "The continuation parameters '\(json)' are neither a JSON object nor a readable file.")
            }
            json = String(decoding: data, as: UTF8.self)
        }
        guard let object = try? JSONDecoder().decode([String: ParameterValue].self, from: Data(json.utf8)) else {
            throw EngineError(
                .invalidConfig,
                "The continuation parameters must be a JSON object of strings, numbers and booleans: \(json.prefix(200))"
            )
        }
        let result = object.mapValues(\.text)
        return result
    }
}

/// A pipeline parameter value in JSON: a boolean, a number or a string, kept as CircleCI renders it.
private struct ParameterValue: Decodable {
    var text: String

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let bool = try? container.decode(Bool.self) {
            text = bool ? "true" : "false"
        } else if let integer = try? container.decode(Int64.self) {
            text = String(integer)
        } else if let double = try? container.decode(Double.self) {
            text = String(double)
        } else {
            text = try container.decode(String.self)
        }
    }
}
