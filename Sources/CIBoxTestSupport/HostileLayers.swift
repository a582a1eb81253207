// cibox — CI in a box. MIT licence, see LICENSE.

/// Layers that try to write or remove outside the root they are unpacked into, each aimed at `outside` (a folder
/// the test owns and checks afterwards).
package enum HostileLayer: String, CaseIterable, Sendable {
    /// `tmp/../../../<outside>/dotdot`: climbs out with `..`.
    case dotDot
    /// `<outside>/absolute`: an absolute name.
    case absolute
    /// `link -> <outside>`, then `link/through`: a file written through a symbolic link.
    case throughSymlink
    /// `link -> <outside>` in one layer, `link/.wh.victim` in the next: a whiteout removing through a link.
    case whiteoutThroughSymlink
    /// `tmp/.wh...`: a whiteout of `tmp/..`, which would remove the root itself (and `.wh...` its parent).
    case whiteoutOfParent
    /// `link -> <outside>`, then a hard link `link/hard` to `bin/busybox`: a link made through a symbolic link.
    case hardlinkThroughSymlink

    /// The layers to put above a base image. `outside` is absolute.
    package func layers(outside: String) -> [[TarEntry]] {
        let link = TarEntry("link", .symlink(outside))
        switch self {
        case .dotDot:
            return [[.file("tmp/../../../../../../../../.." + outside + "/dotdot", "escaped\n")]]
        case .absolute:
            return [[.file(outside + "/absolute", "escaped\n")]]
        case .throughSymlink:
            return [[link, .file("link/through", "escaped\n")]]
        case .whiteoutThroughSymlink:
            return [[link], [.file("link/.wh.victim", "")]]
        case .whiteoutOfParent:
            return [[.file("tmp/.wh...", "")]]
        case .hardlinkThroughSymlink:
            return [[link, TarEntry("link/hard", .hardlink("bin/busybox"))]]
        }
    }

    /// The error's words that name the refused entry.
    package var refusedName: String {
        switch self {
        case .dotDot, .absolute: "Refused to unpack '"
        case .throughSymlink: "Refused to unpack 'link/through'"
        case .whiteoutThroughSymlink: "Refused to unpack 'link/.wh.victim'"
        case .whiteoutOfParent: "Refused to unpack 'tmp/.wh...'"
        case .hardlinkThroughSymlink: "Refused to unpack 'link/hard'"
        }
    }
}
