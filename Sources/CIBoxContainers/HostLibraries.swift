// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
import CIBoxExecutor
import CIBoxImages
import CIBoxModel
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// How cibox's own program runs inside any image, with or without a C library of its own: this machine's dynamic
/// loader and the folders of the shared libraries cibox uses, bound read-only into the container under
/// `/.cibox/lib/N`, and the loader started explicitly with those folders as its only library path. Nothing of the
/// image's libraries is used, so the built-in steps' helper and `circleci-agent` work in busybox, alpine or Debian
/// images alike.
struct HostLibraries: Equatable {
    /// The loader's path on this machine (the `PT_INTERP` of cibox's program, links resolved).
    let loader: String
    /// The folders holding the libraries, on this machine, in order.
    let folders: [String]

    /// Where folder `index` is bound in a container.
    static func target(_ index: Int) -> String { "/.cibox/lib/\(index)" }

    /// The words that start `program` (a path in the container) through the loader, in a container.
    var launcher: [String] {
        let loaderIndex = folders.firstIndex(of: Paths.parent(loader)) ?? 0
        return [
            Self.target(loaderIndex) + "/" + Paths.lastComponent(loader), "--library-path",
            folders.indices.map(Self.target).joined(separator: ":"),
        ]
    }

    /// The binds that bring them into a container.
    var binds: [RuntimeConfig.Bind] {
        folders.enumerated().map {
            RuntimeConfig.Bind(source: $0.element, target: Self.target($0.offset), readOnly: true)
        }
    }

    /// The loader and library folders of this process (cibox's program and its helper are the same binary): the
    /// folders of every shared object mapped now, the loader's first.
    static let current: HostLibraries? = {
        let maps = String(decoding: FileReader.contents(atPath: "/proc/self/maps") ?? [], as: UTF8.self)
        var folders: [String] = []
        var loader: String?
        for line in maps.split(whereSeparator: \.isNewline) {
            guard let slash = line.firstIndex(of: "/") else { continue }
            let path = String(line[slash...])
            let name = Paths.lastComponent(path)
            guard name.contains(".so") else { continue }
            let resolved =
                realpath(path, nil).map { pointer in
                    defer { free(pointer) }
                    return String(cString: pointer)
                } ?? path
            if name.hasPrefix("ld-linux") || name.hasPrefix("ld-musl") { loader = resolved }
            let folder = Paths.parent(resolved)
            if !folders.contains(folder) { folders.append(folder) }
        }
        guard let loader else { return nil }
        folders.removeAll { $0 == Paths.parent(loader) }
        return HostLibraries(loader: loader, folders: [Paths.parent(loader)] + folders)
    }()
}
