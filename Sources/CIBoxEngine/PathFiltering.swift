// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
import CIBoxGit
import Foundation

/// The local stand-in for the `circleci/path-filtering` orb: pipeline parameters from the paths a commit
/// changed since it left a base revision, then a continuation with them.
package enum PathFiltering {
    /// One line of the orb's `mapping`: `REGEX PARAMETER VALUE`.
    package struct Rule: Equatable, Sendable {
        package var pattern: String
        package var parameter: String
        package var value: String
    }

    /// Parses `mapping` (one rule per line; blank lines and `#` comments ignored).
    /// - Throws: ``EngineError`` naming the line that is not `REGEX PARAMETER VALUE`.
    package static func rules(_ mapping: String) throws(EngineError) -> [Rule] {
        var rules: [Rule] = []
        for (number, line) in mapping.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            let fields = trimmed.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: true).map(String.init)
            guard fields.count == 3 else {
                throw EngineError(
                    .invalidConfig,
                    "path-filtering mapping line \(number + 1) '\(trimmed)' is not 'REGEX PARAMETER VALUE'."
                )
            }
            rules.append(Rule(pattern: fields[0], parameter: fields[1], value: unquoted(fields[2])))
        }
        return rules
    }

    /// The parameters set by `rules` for `paths` (a rule applies when its regex matches a whole path).
    /// - Throws: ``EngineError`` for an invalid regular expression.
    package static func parameters(for paths: [String], rules: [Rule]) throws(EngineError) -> [String: String] {
        var result: [String: String] = [:]
        for rule in rules {
            let regex: Regex<AnyRegexOutput>
            do {
                regex = try Regex(rule.pattern)
            } catch {
                throw EngineError(
                    .invalidConfig, "path-filtering mapping: '\(rule.pattern)' is not a valid regular expression.")
            }
            if paths.contains(where: { $0.wholeMatch(of: regex) != nil }) { result[rule.parameter] = rule.value }
        }
        return result
    }

    /// Runs the filter inside a job: changed paths of `CIRCLE_SHA1` since `baseRevision` in the repository at
    /// `CIRCLE_REPOSITORY_URL`, parameters written to `outputPath`, then a continuation with `configPath`.
    /// - Returns: the parameters.
    package static func run(
        baseRevision: String, mapping: String, configPath: String, outputPath: String, directory: String,
        environment: [String: String]
    ) throws(EngineError) -> [String: String] {
        guard let repositoryPath = environment["CIRCLE_REPOSITORY_URL"], let sha = environment["CIRCLE_SHA1"] else {
            throw EngineError(
                .nothingToRun,
                "path-filtering runs inside a cibox job (CIRCLE_REPOSITORY_URL and CIRCLE_SHA1 are not set).")
        }
        let changed: [String]
        do {
            let repository = try GitRepository.open(discoveringFrom: repositoryPath)
            changed = try repository.changedPaths(since: baseRevision, to: repository.resolve(sha).commit)
        } catch {
            throw EngineError(
                .noRepository, "path-filtering cannot compare with '\(baseRevision)': \(error.message)", cause: error)
        }
        let parameters = try self.parameters(for: changed, rules: rules(mapping))
        let output = Paths.absolute(outputPath, relativeTo: directory)
        let json =
            "{"
            + parameters.sorted { $0.key < $1.key }.map { "\"\($0.key)\": \($0.value.jsonLiteral)" }.joined(
                separator: ", ") + "}\n"
        try? FileManager.default.createDirectory(
            atPath: (output as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try? Data(json.utf8).write(to: URL(fileURLWithPath: output))
        try Continuation.submit(
            configurationPath: configPath, parameters: parameters, directory: directory, environment: environment)
        return parameters
    }

    /// `"text"` → `text`; other values as written.
    private static func unquoted(_ value: String) -> String {
        if value.count >= 2, value.hasPrefix("\""), value.hasSuffix("\"") {
            return String(value.dropFirst().dropLast())
        }
        return value
    }
}

extension String {
    /// The value as a JSON literal: booleans and numbers bare, anything else quoted.
    fileprivate var jsonLiteral: String {
        if self == "true" || self == "false" || Double(self) != nil { return self }
        return JSONValue.string(self).rendered(pretty: false)
    }
}
