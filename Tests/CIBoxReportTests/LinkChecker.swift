// cibox — CI in a box. MIT licence, see LICENSE.

import Foundation

/// Finds the relative links (`href`, `src`) of a report page that point at no file.
enum LinkChecker {
    /// The links of page `relative` under `root` whose target does not exist.
    static func brokenLinks(inPage relative: String, root: String) throws -> [String] {
        let html = try String(contentsOfFile: root + "/" + relative, encoding: .utf8)
        let folder = (relative as NSString).deletingLastPathComponent
        var broken: [String] = []
        for attribute in ["href=\"", "src=\""] {
            for part in html.components(separatedBy: attribute).dropFirst() {
                guard let end = part.firstIndex(of: "\"") else { continue }
                let link = String(part[..<end]).replacingOccurrences(of: "&amp;", with: "&")
                if link.hasPrefix("data:") || link.hasPrefix("#") || link.contains("://") { continue }
                let decoded = link.removingPercentEncoding ?? link
                let target = ((root + "/" + folder + "/" + decoded) as NSString).standardizingPath
                if !FileManager.default.fileExists(atPath: target) { broken.append(link) }
            }
        }
        return broken
    }
}
