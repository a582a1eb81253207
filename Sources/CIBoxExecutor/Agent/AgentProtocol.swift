// cibox — CI in a box. MIT licence, see LICENSE.

/// The job agent's wire format (see `Sources/cibox-sandbox/protocol.h`, the other end): frames on a stream socket,
/// each a header (type, payload length, descriptor count; 32-bit) then the payload; descriptors travel as
/// `SCM_RIGHTS` with the header. Integers are 64-bit little-endian, strings and lists are prefixed by a 32-bit
/// length or count.
enum AgentMessage {
    static let setup: UInt32 = 1
    static let spawn: UInt32 = 2
    static let signal: UInt32 = 3
    static let shutdown: UInt32 = 4
    static let ready: UInt32 = 101
    static let setupFailed: UInt32 = 102
    static let spawned: UInt32 = 103
    static let spawnFailed: UInt32 = 104
    static let exited: UInt32 = 105

    /// `SETUP` flags.
    static let newMountNamespace: Int64 = 1
    static let privateTmp: Int64 = 2
    /// `SPAWN` flags.
    static let makeDirectory: Int64 = 1
    /// A bind's flags.
    static let readOnly: Int64 = 1
}

/// Builds a payload.
struct AgentPayload {
    private(set) var bytes: [UInt8] = []

    mutating func int(_ value: Int64) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func count(_ value: Int) {
        withUnsafeBytes(of: UInt32(value).littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func string(_ value: String) {
        count(value.utf8.count)
        bytes.append(contentsOf: value.utf8)
    }

    mutating func strings(_ values: [String]) {
        count(values.count)
        for value in values { string(value) }
    }
}

/// Reads a payload; a read past its end gives zero values and sets `failed`.
struct AgentPayloadReader {
    let bytes: [UInt8]
    private var offset = 0
    private(set) var failed = false

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    mutating func int() -> Int64 {
        guard offset + 8 <= bytes.count else {
            failed = true
            return 0
        }
        var value: Int64 = 0
        for index in 0..<8 { value |= Int64(bytes[offset + index]) << (8 * index) }
        offset += 8
        return value
    }

    mutating func count() -> Int {
        guard offset + 4 <= bytes.count else {
            failed = true
            return 0
        }
        var value: UInt32 = 0
        for index in 0..<4 { value |= UInt32(bytes[offset + index]) << (8 * index) }
        offset += 4
        return Int(value)
    }

    mutating func string() -> String {
        let length = count()
        guard !failed, offset + length <= bytes.count else {
            failed = true
            return ""
        }
        defer { offset += length }
        return String(decoding: bytes[offset..<offset + length], as: UTF8.self)
    }
}
