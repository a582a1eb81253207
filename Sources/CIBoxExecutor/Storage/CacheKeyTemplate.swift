// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
package import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// What a cache key template can refer to, fixed when the step runs.
package struct CacheKeyValues: Sendable {
    /// `{{ .Branch }}`.
    package var branch: String
    /// `{{ .Revision }}`.
    package var revision: String
    /// `{{ .BuildNum }}` (the job run's id).
    package var buildNumber: Int64
    /// `{{ .Environment.NAME }}`: the step's environment.
    package var environment: [String: String]
    /// `{{ epoch }}`: the current time.
    package var now: Date
    /// `{{ arch }}`.
    package var arch: String
    /// Resolves a `checksum` file argument to an absolute path (relative to the working directory, `~` the job's).
    package var resolvePath: @Sendable (String) -> String
    /// The SHA-256 of the file at an absolute path, or nil when it cannot be read (the job's sandbox reads it, with
    /// the job's rights).
    package var digest: @Sendable (String) -> [UInt8]?

    /// Makes template values.
    package init(
        branch: String, revision: String, buildNumber: Int64, environment: [String: String], now: Date = Date(),
        arch: String = CacheKeyTemplate.hostArch, resolvePath: @escaping @Sendable (String) -> String,
        digest: @escaping @Sendable (String) -> [UInt8]? = { SHA256Digest.of(fileAt: $0) }
    ) {
        self.branch = branch
        self.revision = revision
        self.buildNumber = buildNumber
        self.environment = environment
        self.now = now
        self.arch = arch
        self.resolvePath = resolvePath
        self.digest = digest
    }
}

/// Renders CircleCI cache key templates: `{{ checksum "file" }}`, `{{ .Branch }}`, `{{ .Revision }}`,
/// `{{ .BuildNum }}`, `{{ .Environment.NAME }}`, `{{ epoch }}` and `{{ arch }}`.
///
/// `checksum` is the standard base64 (with padding) of the file's SHA-256, as CircleCI documents. A variable
/// missing from the environment renders `<no value>`, as Go templates (and so CircleCI) do.
package enum CacheKeyTemplate {
    /// The file arguments of every `{{ checksum "file" }}` in `template`, as written.
    package static func checksumFiles(in template: String) -> [String] {
        var files: [String] = []
        var rest = Substring(template)
        while let open = rest.range(of: "{{"), let close = rest[open.upperBound...].range(of: "}}") {
            let expression = rest[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespaces)
            if expression.hasPrefix("checksum ") {
                let argument = expression.dropFirst("checksum ".count).trimmingCharacters(in: .whitespaces)
                if argument.count >= 2, argument.hasPrefix("\""), argument.hasSuffix("\"") {
                    files.append(String(argument.dropFirst().dropLast()))
                }
            }
            rest = rest[close.upperBound...]
        }
        return files
    }

    /// Renders `template`.
    /// - Throws: `StorageError` (`.template`) for an unknown or malformed template, or an unreadable checksum file.
    package static func render(_ template: String, values: CacheKeyValues) throws(StorageError) -> String {
        var output = ""
        var rest = Substring(template)
        while let open = rest.range(of: "{{") {
            output += rest[..<open.lowerBound]
            guard let close = rest[open.upperBound...].range(of: "}}") else {
                throw StorageError(
                    .template, "The cache key '\(template)' has '{{' without a closing '}}'. Close the template.")
            }
            let expression = rest[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespaces)
            output += try value(of: expression, in: template, values: values)
            rest = rest[close.upperBound...]
        }
        return output + rest
    }

    private static func value(of expression: String, in template: String, values: CacheKeyValues)
        throws(StorageError) -> String
    {
        switch expression {
        case ".Branch": return values.branch
        case ".Revision": return values.revision
        case ".BuildNum": return String(values.buildNumber)
        case "epoch": return String(Int64(values.now.timeIntervalSince1970))
        case "arch": return values.arch
        default: break
        }
        if expression.hasPrefix(".Environment.") {
            let name = String(expression.dropFirst(".Environment.".count))
            return values.environment[name] ?? "<no value>"
        }
        if expression.hasPrefix("checksum ") {
            let argument = expression.dropFirst("checksum ".count).trimmingCharacters(in: .whitespaces)
            if argument.count >= 2, argument.hasPrefix("\""), argument.hasSuffix("\"") {
                return try checksum(String(argument.dropFirst().dropLast()), values: values)
            }
        }
        throw StorageError(
            .template,
            "Unknown cache key template '{{ \(expression) }}' in '\(template)'. cibox knows checksum \"FILE\", "
                + ".Branch, .Revision, .BuildNum, .Environment.NAME, epoch and arch.")
    }

    private static func checksum(_ file: String, values: CacheKeyValues) throws(StorageError) -> String {
        let path = values.resolvePath(file)
        guard let digest = values.digest(path) else {
            throw StorageError(
                .template,
                "Cannot compute {{ checksum \"\(file)\" }}: cannot read '\(path)'. Check that the file exists "
                    + "in the working directory when the step runs.")
        }
        return Data(digest).base64EncodedString()
    }

    /// `{{ arch }}` on this machine, in CircleCI's shape: `arch1-linux-amd64-6_85` (OS, CPU architecture, and the
    /// CPU family and model from `/proc/cpuinfo` when it has them).
    package static let hostArch: String = {
        var name = utsname()
        uname(&name)
        let machine = withUnsafeBytes(of: &name.machine) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        let cpu = ["x86_64": "amd64", "aarch64": "arm64", "i686": "386", "armv7l": "arm"][machine] ?? machine
        var arch = "arch1-linux-\(cpu)"
        if let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) {
            let field = { (key: String) in
                info.split(separator: "\n").first { $0.hasPrefix(key) }?.split(separator: ":").last?
                    .trimmingCharacters(in: .whitespaces)
            }
            if let family = field("cpu family\t"), let model = field("model\t") { arch += "-\(family)_\(model)" }
        }
        return arch
    }()
}
