// cibox — CI in a box. MIT licence, see LICENSE.

package import CIBoxModel

/// Replaces secret values with `****` in a stream of output chunks, including a secret split across two
/// chunks. Values shorter than 4 bytes are not masked (they would mask ordinary text), as on CircleCI.
package struct SecretMasker {
    private let secrets: [[UInt8]]
    private let keep: Int
    private var pending: [UInt8] = []
    static let replacement = Array("****".utf8)

    /// Makes a masker for `values`; nil when there is nothing to mask.
    package init?(_ values: [String]) {
        let secrets = Set(values.filter { $0.utf8.count >= 4 }).map { Array($0.utf8) }.sorted { $0.count > $1.count }
        guard let longest = secrets.first?.count else { return nil }
        self.secrets = secrets
        self.keep = longest - 1
    }

    /// Takes the next chunk and returns the bytes that are safe to write now.
    package mutating func process(_ chunk: ArraySlice<UInt8>) -> [UInt8] {
        var buffer = pending + chunk
        for secret in secrets { buffer = Self.replace(secret, in: buffer) }
        let cut = max(0, buffer.count - keep)
        pending = Array(buffer[cut...])
        return Array(buffer[..<cut])
    }

    /// The bytes held back at the end of the stream.
    package mutating func flush() -> [UInt8] {
        defer { pending = [] }
        return pending
    }

    private static func replace(_ secret: [UInt8], in buffer: [UInt8]) -> [UInt8] {
        guard buffer.count >= secret.count, let first = secret.first else { return buffer }
        var output: [UInt8] = []
        output.reserveCapacity(buffer.count)
        var index = 0
        let last = buffer.count - secret.count
        while index < buffer.count {
            if index <= last, buffer[index] == first, buffer[index..<(index + secret.count)].elementsEqual(secret) {
                output += replacement
                index += secret.count
            } else {
                output.append(buffer[index])
                index += 1
            }
        }
        return output
    }

    /// `text` with every secret value (4 bytes or more) replaced by `****`.
    package static func mask(_ text: String, secrets values: [String]) -> String {
        guard var masker = SecretMasker(values), values.contains(where: { text.contains($0) }) else { return text }
        let masked = masker.process(Array(text.utf8)[...]) + masker.flush()
        return String(decoding: masked, as: UTF8.self)
    }

    /// `test` with secrets masked in every text a job controls (names, class, file, message, output).
    package static func mask(_ test: TestCase, secrets values: [String]) -> TestCase {
        guard !values.isEmpty else { return test }
        var masked = test
        masked.name = mask(test.name, secrets: values)
        masked.className = mask(test.className, secrets: values)
        masked.file = test.file.map { mask($0, secrets: values) }
        masked.suite = mask(test.suite, secrets: values)
        masked.message = test.message.map { mask($0, secrets: values) }
        return masked
    }
}
