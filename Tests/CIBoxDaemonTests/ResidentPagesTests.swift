// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
import Foundation
import Testing

/// What an idle daemon gives back (``ResidentPages``): only mappings that cannot hold a page of its own.
@Suite struct ResidentPagesTests {
    static let smaps = """
        55d0c0000000-55d0c1000000 r--p 00000000 08:01 1311 /usr/bin/cibox
        Size:              16384 kB
        Rss:                2072 kB
        Anonymous:             0 kB
        VmFlags: rd mr mw me sd
        55d0c1000000-55d0c2000000 r-xp 01000000 08:01 1311 /usr/bin/cibox
        Rss:               19820 kB
        Anonymous:             0 kB
        55d0c2000000-55d0c2100000 r--p 02000000 08:01 1311 /usr/bin/cibox
        Rss:                1136 kB
        Anonymous:          1136 kB
        55d0c2100000-55d0c2200000 rw-p 02100000 08:01 1311 /usr/bin/cibox
        Rss:                5716 kB
        Anonymous:           460 kB
        55d0c3000000-55d0c3100000 rw-p 00000000 00:00 0 [heap]
        Rss:                 540 kB
        Anonymous:           540 kB
        7f0000000000-7f0000100000 r--p 00000000 00:00 0
        Rss:                   4 kB
        Anonymous:             4 kB
        7f0000100000-7f0000200000 r--s 00000000 00:05 77 /memfd:cibox-log (deleted)
        Rss:                  64 kB
        Anonymous:             0 kB
        7ffd00000000-7ffd00002000 r-xp 00000000 00:00 0 [vdso]
        Rss:                   8 kB
        Anonymous:             0 kB

        """

    @Test func onlyUnwrittenFileMappingsAreDroppable() {
        let mappings = ResidentPages.mappings(inSmaps: Self.smaps)
        let starts: [UInt] = [
            0x55d0_c000_0000, 0x55d0_c100_0000, 0x55d0_c200_0000, 0x55d0_c210_0000, 0x55d0_c300_0000,
            0x7f00_0000_0000, 0x7f00_0010_0000, 0x7ffd_0000_0000,
        ]
        #expect(mappings.map(\.start) == starts)
        // The executable's read-only and code segments, and a read-only shared file: yes. Its relocated read-only
        // data (copied on write), its writable segment, the heap, an anonymous mapping and the vDSO: no.
        #expect(mappings.map(\.isDroppable) == [true, true, false, false, false, false, true, false])
        let kilobytes: [Int] = [2072, 19820, 1136, 5716, 540, 4, 64, 8]
        #expect(mappings.map(\.residentBytes) == kilobytes.map { $0 * 1024 })
        #expect(mappings[1].end == 0x55d0_c200_0000)
    }

    @Test func theProcessKeepsWorkingAndItsDataAfterTheDrop() throws {
        // State in writable memory and on the heap, made before the drop.
        let numbers = (0..<100_000).map { $0 * 3 }
        let encoded = try JSONEncoder().encode(["numbers": numbers])
        let mappings = ResidentPages.mappings(inSmaps: try #require(ResidentPages.ownSmaps()))
        #expect(mappings.contains { $0.isDroppable && $0.residentBytes > 0 }, "this test process has code resident")
        let dropped = ResidentPages.dropStartupResidue()
        #expect(dropped > 0)
        // Code runs again (faulted back in from the page cache) and nothing written before is lost.
        let sum = numbers.reduce(0, +)
        #expect(sum == 3 * (99_999 * 100_000 / 2))
        let decoded = try JSONDecoder().decode([String: [Int]].self, from: encoded)
        #expect(decoded["numbers"] == numbers)
        #expect(ProcessInfo.processInfo.processIdentifier == getpid())
    }
}
