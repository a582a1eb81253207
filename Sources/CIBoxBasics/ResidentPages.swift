// cibox — CI in a box. MIT licence, see LICENSE.

#if canImport(Glibc)
    import Glibc
#endif

/// Gives back the pages a long-lived process touched once and no longer needs in its page tables.
///
/// Starting touches code and read-only data all over the executable and its libraries (type metadata, protocol
/// conformance records, static initialisers), and the kernel maps each file fault's neighbours too (fault-around):
/// an idle daemon keeps tens of megabytes of clean file pages resident that it will not run again. Advising
/// `MADV_DONTNEED` on a private file mapping that was never written only drops its page-table entries: the pages
/// stay in the page cache, and what the process runs again faults back in cheaply (a minor fault, no read).
///
/// Only mappings that cannot hold a page of the process's own are advised: backed by a file, not writable, and
/// with no anonymous (copied-on-write) page, such as the relocated, then read-only `.data.rel.ro`; dropping one of
/// those would lose its content.
package enum ResidentPages {
    /// A mapping from `/proc/self/smaps`: its range, whether it may be advised, and its resident bytes.
    package struct Mapping: Equatable, Sendable {
        package var start: UInt
        package var end: UInt
        package var isDroppable: Bool
        package var residentBytes: Int
    }

    /// Drops the resident pages of this process's droppable mappings (see the type's description), then gives back
    /// the allocator's free memory (`malloc_trim`).
    /// - Returns: the resident bytes of the advised mappings before the advice.
    @discardableResult
    package static func dropStartupResidue() -> Int {
        guard let text = ownSmaps() else { return 0 }
        var dropped = 0
        for mapping in mappings(inSmaps: text) where mapping.isDroppable && mapping.residentBytes > 0 {
            let pointer = UnsafeMutableRawPointer(bitPattern: mapping.start)
            if madvise(pointer, Int(mapping.end - mapping.start), MADV_DONTNEED) == 0 {
                dropped += mapping.residentBytes
            }
        }
        trimAllocator()
        return dropped
    }

    /// This process's `/proc/self/smaps`, or nil where there is none.
    package static func ownSmaps() -> String? {
        readProcFile("/proc/self/smaps")
    }

    /// The mappings described by `smaps` text (`/proc/PID/smaps`).
    package static func mappings(inSmaps text: String) -> [Mapping] {
        var result: [Mapping] = []
        var current: (mapping: Mapping, isFile: Bool, isWritable: Bool, anonymous: Int)?
        func close() {
            guard let (found, isFile, isWritable, anonymous) = current else { return }
            var mapping = found
            mapping.isDroppable = isFile && !isWritable && anonymous == 0
            result.append(mapping)
        }
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard let first = fields.first else { continue }
            if first.last == ":" {
                guard fields.count >= 2, let kilobytes = Int(fields[1]) else { continue }
                if first == "Rss:" { current?.mapping.residentBytes = kilobytes * 1024 }
                if first == "Anonymous:" { current?.anonymous = kilobytes }
                continue
            }
            // A mapping's header: "start-end perms offset dev inode [path]"; a field line ends its name with ':'.
            let range = first.split(separator: "-")
            guard fields.count >= 5, range.count == 2, let start = UInt(range[0], radix: 16),
                let end = UInt(range[1], radix: 16)
            else { continue }
            close()
            let permissions = fields[1]
            let path = fields.count > 5 ? fields[5] : ""
            current = (
                Mapping(start: start, end: end, isDroppable: false, residentBytes: 0),
                isFile: path.hasPrefix("/") && fields[4] != "0", isWritable: permissions.contains("w"), anonymous: 0
            )
        }
        close()
        return result
    }

    /// glibc's `malloc_trim(0)`: the allocator's free pages go back to the system (looked up at run time: Swift's
    /// Glibc module does not declare it).
    private static func trimAllocator() {
        typealias Trim = @convention(c) (Int) -> Int32
        guard let process = dlopen(nil, RTLD_NOW), let symbol = dlsym(process, "malloc_trim") else { return }
        _ = unsafeBitCast(symbol, to: Trim.self)(0)
    }

    /// This process's resident pages now (`/proc/self/statm`'s second field), 0 where there is none.
    package static func residentPageCount() -> Int {
        guard let text = readProcFile("/proc/self/statm") else { return 0 }
        let fields = text.split(separator: " ")
        return fields.count > 1 ? Int(fields[1]) ?? 0 : 0
    }

    /// The whole content of a `/proc` file (whose size reads as 0).
    static func readProcFile(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { break }
            bytes.append(contentsOf: buffer[0..<count])
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
