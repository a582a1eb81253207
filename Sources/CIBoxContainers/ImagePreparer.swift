// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
package import CIBoxExecutor
import CIBoxImages
import CIBoxModel
package import CIBoxRegistry
import Foundation

/// Fixes the image digests of a `docker:` job before it takes a slot, pulling what the store lacks as the pull
/// policy says; the pull's progress goes to the job's environment log (`logs/<job>/environment.log`, secrets
/// masked) and to `say`.
///
/// A pull that fails fails the job (`infrastructure`, with the registry's answer and what to do). One exception keeps
/// `images: { mode: auto }` what it was: a registry that the settings do not name and that cannot be reached (an
/// air-gapped machine asked for a Docker Hub image) lets the job run on this machine's shell, with the warning.
package struct ImagePreparer: JobPreparer {
    let options: ContainerOptions
    let puller: ImagePuller
    let say: @Sendable (String) -> Void

    /// Makes a preparer.
    /// - Parameter say: told each line of a pull's progress, with the job's name.
    package init(options: ContainerOptions, puller: ImagePuller, say: @escaping @Sendable (String) -> Void) {
        self.options = options
        self.puller = puller
        self.say = say
    }

    /// See ``JobPreparer``.
    package func prepare(_ request: JobRunRequest) async -> JobPreparation {
        guard options.mode != .host, let entries = request.spec.dockerImages, !entries.isEmpty else {
            return .ready(request)
        }
        var ready = request
        let log = EnvironmentLog(path: request.logDirectory + "/environment.log", secrets: request.secrets)
        for entry in entries where ready.imageDigests[entry.image] == nil {
            let resolved = options.resolved(entry.image)
            // A name that is not a reference fails when the job starts, with the sandbox's message.
            guard let reference = try? ImageReference(parsing: resolved) else { continue }
            let login = Self.login(of: entry, request: request)
            let secrets = request.secrets + [login?.password].compactMap { $0 }
            let (say, jobName) = (self.say, request.jobName)
            let report: @Sendable (String) -> Void = { line in
                let masked = SecretMasker.mask(line, secrets: secrets)
                log.append(masked)
                say("\(jobName): \(masked)")
            }
            do throws(RegistryError) {
                let record = try await puller.image(
                    for: reference, login: login, pipeline: request.pipelineID, report: report)
                ready.imageDigests[entry.image] = record.digest
            } catch {
                if Task.isCancelled { return .failed("The job was cancelled while its image was pulled.") }
                if runsOnHost(after: error, reference: reference, login: login) {
                    // The sandbox's warning says it once on standard error; the job's log keeps why.
                    log.append(
                        SecretMasker.mask(error.message, secrets: secrets)
                            + " The job runs on this machine's shell (images: { mode: auto }).")
                    continue
                }
                let message = SecretMasker.mask(error.message, secrets: secrets)
                log.append(message)
                return .failed(message + Self.awsNote(entry))
            }
        }
        return .ready(ready)
    }

    /// Whether a failed pull leaves the job to run on this machine's shell: under `mode: auto`, when images are only
    /// ever loaded by hand (`pull: never`), or when a registry the settings do not name could not be reached.
    private func runsOnHost(after error: RegistryError, reference: ImageReference, login: RegistryLogin?) -> Bool {
        guard options.mode == .auto else { return false }
        if error.code == .refused, options.registry?.pull == .never { return true }
        guard error.code == .unreachable || error.code == .noClient, login == nil else { return false }
        return !(options.registry?.configures(reference.registry) ?? false)
    }

    /// The entry's `auth:` with `$VAR` and `${VAR}` taken from the project's and contexts' variables and the job's
    /// `environment`, as CircleCI does; nil without one (or with `aws_auth`, which needs Amazon's API).
    static func login(of entry: DockerImage, request: JobRunRequest) -> RegistryLogin? {
        guard let auth = entry.auth, !entry.isAWSAuth, let username = auth["username"], let password = auth["password"]
        else { return nil }
        var variables: [String: String] = [:]
        for variable in request.secretEnvironment + request.spec.environment {
            variables[variable.name] = variable.value
        }
        return RegistryLogin(
            username: Interpolation.expand(username, variables), password: Interpolation.expand(password, variables))
    }

    private static func awsNote(_ entry: DockerImage) -> String {
        entry.isAWSAuth
            ? " (`aws_auth` is not supported: it needs Amazon's API; log in with `cibox registry login HOST`.)" : ""
    }
}

/// `$NAME` and `${NAME}` in a `docker:` entry's `auth:` values.
enum Interpolation {
    /// `text` with each variable replaced by its value (an unknown one by nothing); `$` before anything else stays.
    static func expand(_ text: String, _ variables: [String: String]) -> String {
        var result = ""
        var rest = Substring(text)
        while let dollar = rest.firstIndex(of: "$") {
            result += rest[..<dollar]
            rest = rest[rest.index(after: dollar)...]
            if rest.first == "{", let close = rest.firstIndex(of: "}") {
                let name = rest[rest.index(after: rest.startIndex)..<close]
                if !name.isEmpty, name.allSatisfy(isNameCharacter) {
                    result += variables[String(name)] ?? ""
                    rest = rest[rest.index(after: close)...]
                    continue
                }
            }
            let name = rest.prefix { isNameCharacter($0) }
            if name.first.map({ $0.isNumber }) ?? true {
                result += "$"
                continue
            }
            result += variables[String(name)] ?? ""
            rest = rest.dropFirst(name.count)
        }
        return result + rest
    }

    private static func isNameCharacter(_ character: Character) -> Bool {
        character.isASCII && (character.isLetter || character.isNumber || character == "_")
    }
}
