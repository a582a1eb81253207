// cibox — CI in a box. MIT licence, see LICENSE.

import Testing

@testable import CIBoxServer

@Suite struct ByteRangeTests {
    @Test(arguments: [
        ("bytes=0-9", ByteRange.part(0...9)), ("bytes=5-", .part(5...99)), ("bytes=-10", .part(90...99)),
        ("bytes=-500", .part(0...99)), ("bytes=90-500", .part(90...99)), ("bytes=99-99", .part(99...99)),
        ("bytes=100-", .unsatisfiable), ("bytes=-0", .unsatisfiable),
    ])
    func singleRanges(header: String, expected: ByteRange) {
        #expect(ByteRange.resolve(header, length: 100) == expected)
    }

    @Test(arguments: [
        "bytes=0-1,5-6", "bytes=9-2", "bytes=a-b", "items=0-1", "bytes=", "bytes=-", "bytes= 1-2", "bytes=+1-2",
    ])
    func whatIsNotOneByteRangeIsIgnored(header: String) {
        #expect(ByteRange.resolve(header, length: 100) == .whole)
    }

    @Test func anEmptyBodyHasNoRange() {
        #expect(ByteRange.resolve(nil, length: 0) == .whole)
        #expect(ByteRange.resolve("bytes=0-", length: 0) == .unsatisfiable)
        #expect(ByteRange.resolve("bytes=-1", length: 0) == .unsatisfiable)
    }
}
