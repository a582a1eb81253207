// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxBasics
package import CIBoxModel
import CIBoxYAML
import OrderedCollections

/// What packing an orb source folder gives: the orb's YAML when there is no error, and every problem found.
package struct OrbPackResult: Sendable {
    /// The packed orb (one YAML document), `nil` exactly when `diagnostics` contains an error.
    package var text: String?
    /// Errors and warnings, each naming the source file, line and column.
    package var diagnostics: [Diagnostic]
}

/// Packs an orb source folder in CircleCI's layout into one orb YAML, as `circleci orb pack` does.
///
/// The folder (an orb repository's `src/`) holds `@orb.yml` (the orb's root: `version`, `description`,
/// `display`, `orbs`) and the folders `commands/`, `jobs/`, `executors/` and `examples/`, where each file `x.yml`
/// becomes the element `x` (a file named `@….yml` there holds several elements). In the values of commands, jobs and
/// executors, a scalar that is exactly `<<include(path)>>` is replaced by the contents of that file (path relative to
/// the folder, such as `scripts/greet.sh`), with `<<` escaped as `\<<` so that the file's text is never taken for
/// a parameter. The output's top-level keys come in CircleCI's order and every mapping below them is sorted by key,
/// so packing the same folder always gives the same text.
///
/// Pure: the caller lists the folder and reads its files.
package enum OrbPacker {
    /// The folders whose files become elements, in output order with the root keys around them.
    package static let elementFolders = ["commands", "executors", "jobs", "examples"]
    /// The top-level keys of a packed orb, in the order CircleCI's packer writes them.
    static let rootKeys = ["version", "description", "display", "orbs", "commands", "executors", "jobs", "examples"]
    /// The root file every orb source folder has.
    package static let rootFile = "@orb.yml"

    /// Packs the files of an orb source folder.
    ///
    /// - Parameters:
    ///   - files: The folder's files, relative to it and `/`-separated (`@orb.yml`, `commands/greet.yml`,
    ///     `scripts/greet.sh`); files other than YAML files at the top and in the element folders are only read
    ///     when included.
    ///   - folder: How diagnostics name the folder (`src`); each file is shown as `folder/relative`.
    ///   - read: Reads a file by its path relative to the folder; `nil` when there is no such file or it is not
    ///     UTF-8 text.
    /// - Returns: The packed YAML, or the diagnostics that say why not.
    package static func pack(files: [String], folder: String, read: (String) -> String?) -> OrbPackResult {
        withoutActuallyEscaping(read) { read in
            var packer = Packing(folder: folder, read: read)
            let text = packer.pack(files)
            let hasError = packer.diagnostics.containsError
            return OrbPackResult(text: hasError ? nil : text, diagnostics: packer.diagnostics)
        }
    }

    /// Whether `name` is a YAML file name that the packer reads (`x.yml`, `x.yaml`, not hidden).
    static func isYAMLFile(_ name: String) -> Bool {
        !name.hasPrefix(".") && (name.hasSuffix(".yml") || name.hasSuffix(".yaml")) && name.count > 4
    }
}

/// One packing: the elements and root keys read so far, and the diagnostics.
private struct Packing {
    /// How diagnostics name the source folder.
    let folder: String
    /// Reads a file by its path relative to the folder.
    let read: (String) -> String?
    /// The problems found so far.
    var diagnostics: [Diagnostic] = []
    /// Root keys other than the element kinds, with the entry that set them.
    var root: [String: ConfigMappingEntry] = [:]
    /// Elements by kind, then name.
    var elements: [String: [String: ConfigMappingEntry]] = [:]

    /// Starts a packing of `folder`, reading files with `read`.
    init(folder: String, read: @escaping (String) -> String?) {
        self.folder = folder
        self.read = read
    }

    /// `relative` as diagnostics show it: under the folder as the user named it.
    func shown(_ relative: String) -> String {
        folder.isEmpty ? relative : folder.hasSuffix("/") ? folder + relative : folder + "/" + relative
    }

    /// Records an error.
    mutating func error(_ location: SourceLocation, _ message: String, hint: String? = nil) {
        diagnostics.append(Diagnostic(.error, at: location, message, hint: hint))
    }

    /// Reads the root files, then the element folders' files; the packed YAML (`nil` without `@orb.yml`).
    mutating func pack(_ files: [String]) -> String? {
        let rootFiles = files.filter { !$0.contains("/") && OrbPacker.isYAMLFile($0) }
        guard rootFiles.contains(OrbPacker.rootFile) else {
            error(
                SourceLocation(file: shown(OrbPacker.rootFile), line: 1, column: 1),
                "the orb source folder has no \(OrbPacker.rootFile)",
                hint: "pass the folder that holds @orb.yml, commands/, jobs/ and executors/ (an orb repository's src/)")
            return nil
        }
        // `@orb.yml` first, then other root files, as CircleCI merges every YAML file at the top into the root.
        for file in [OrbPacker.rootFile] + rootFiles.filter({ $0 != OrbPacker.rootFile }).sorted() {
            guard let node = parse(file) else { continue }
            for entry in node.entries ?? [] { addRootEntry(entry) }
        }
        for file in files.sorted() {
            let parts = file.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
            guard parts.count >= 2, OrbPacker.elementFolders.contains(parts[0]) else { continue }
            let location = SourceLocation(file: shown(file), line: 1, column: 1)
            guard parts.count == 2, OrbPacker.isYAMLFile(parts[1]) else {
                if !(parts.last ?? "").hasPrefix(".") {
                    diagnostics.append(
                        Diagnostic(
                            .warning, at: location, "'\(file)' is not a YAML file of '\(parts[0])/' and is left out",
                            hint: "each element is one file '\(parts[0])/NAME.yml'"))
                }
                continue
            }
            guard let node = parse(file) else { continue }
            let name = String(parts[1].prefix { $0 != "." })
            if name.hasPrefix("@") {
                for entry in node.entries ?? [] { addElement(entry, kind: parts[0]) }
            } else {
                addElement(
                    ConfigMappingEntry(key: name, keyLocation: location, value: node), kind: parts[0])
            }
        }
        return render()
    }

    /// The root mapping of `file`, or `nil` after reporting why it cannot be one.
    mutating func parse(_ file: String) -> ConfigNode? {
        let location = SourceLocation(file: shown(file), line: 1, column: 1)
        guard let text = read(file) else {
            error(location, "cannot read '\(shown(file))' as UTF-8 text", hint: "check the file and its permissions")
            return nil
        }
        let (node, found) = YAMLReader.parse(text, file: shown(file))
        diagnostics += found
        guard let node else {
            if found.isEmpty {
                error(location, "'\(shown(file))' is empty", hint: "an orb file holds a mapping")
            }
            return nil
        }
        guard node.entries != nil else {
            error(node.location, "'\(shown(file))' must hold a mapping, got \(node.kindDescription)")
            return nil
        }
        return node
    }

    /// Takes one top-level key of a root file: element kinds' entries become elements, orb keys are kept once.
    mutating func addRootEntry(_ entry: ConfigMappingEntry) {
        if OrbPacker.elementFolders.contains(entry.key), !entry.value.isNull {
            guard let entries = entry.value.entries else {
                error(entry.value.location, "'\(entry.key)' must be a mapping, got \(entry.value.kindDescription)")
                return
            }
            for element in entries { addElement(element, kind: entry.key) }
            return
        }
        guard OrbPacker.rootKeys.contains(entry.key) else {
            diagnostics.append(
                Diagnostic(
                    .warning, at: entry.keyLocation, "'\(entry.key)' is not an orb key and is left out",
                    hint: "an orb's keys are \(OrbPacker.rootKeys.joined(separator: ", "))"))
            return
        }
        if let earlier = root[entry.key] {
            error(entry.keyLocation, "'\(entry.key)' is defined twice", hint: "first at \(Self.place(earlier))")
            return
        }
        root[entry.key] = entry
    }

    /// Takes one element of `kind` (includes inlined, except in examples); a second one of the same name is an error.
    mutating func addElement(_ entry: ConfigMappingEntry, kind: String) {
        if let earlier = elements[kind]?[entry.key] {
            error(
                entry.keyLocation, "'\(kind).\(entry.key)' is defined twice",
                hint: "first at \(Self.place(earlier)); keep one of them")
            return
        }
        var element = entry
        if kind != "examples" { element.value = inlineIncludes(entry.value) }
        elements[kind, default: [:]][entry.key] = element
    }

    /// `FILE:LINE:COLUMN` of an entry's key, for hints.
    static func place(_ entry: ConfigMappingEntry) -> String {
        "\(entry.keyLocation.file):\(entry.keyLocation.line):\(entry.keyLocation.column)"
    }

    /// `node` with every scalar that is an include directive replaced by the included file's text.
    mutating func inlineIncludes(_ node: ConfigNode) -> ConfigNode {
        node.mappingScalars { node, scalar in
            guard scalar.text.contains("<<"), let text = included(scalar.text, at: node.location) else { return node }
            return ConfigNode(.scalar(ConfigScalar(text, isQuoted: true)), at: node.location)
        }
    }

    /// The included text when `text` is an include directive; `nil` when it has none, or after an error.
    mutating func included(_ text: String, at location: SourceLocation) -> String? {
        let directive = #/<<\s*include\(([-A-Za-z0-9_\/.]+)\)?\s*>>/#
        let matches = text.matches(of: directive)
        guard let match = matches.first else { return nil }
        guard matches.count == 1 else {
            error(
                location, "a value holds \(matches.count) include directives; it may hold one",
                hint: "include one file, and put the rest of the text in it")
            return nil
        }
        guard match.range == text.startIndex..<text.endIndex else {
            error(
                location, "'\(match.output.0)' must be the whole value",
                hint: "move the text around it into the included file")
            return nil
        }
        let path = String(match.output.1)
        let parts = path.split(separator: "/", omittingEmptySubsequences: true)
        guard !path.hasPrefix("/"), !parts.contains(".."), !parts.isEmpty else {
            error(
                location, "cannot include '\(path)': it is outside the orb's source folder",
                hint: "give a path relative to '\(folder)', such as scripts/NAME.sh")
            return nil
        }
        let relative = parts.filter { $0 != "." }.joined(separator: "/")
        guard let contents = read(relative) else {
            error(
                location, "cannot include '\(path)': '\(shown(relative))' does not exist or is not UTF-8 text",
                hint: "include paths are relative to the orb's source folder '\(folder)'")
            return nil
        }
        return contents.replacing("<<", with: "\\<<")
    }

    /// The packed orb's YAML; `nil` after an error (the emitter failing, a bug).
    mutating func render() -> String? {
        var top: OrderedDictionary<String, YAMLValue> = [:]
        for key in OrbPacker.rootKeys {
            if OrbPacker.elementFolders.contains(key) {
                guard let entries = elements[key], !entries.isEmpty else { continue }
                var mapping: OrderedDictionary<String, YAMLValue> = [:]
                for name in entries.keys.sorted() {
                    mapping[name] = entries[name].map { Self.value($0.value) }
                }
                top[key] = .mapping(mapping)
            } else if let entry = root[key] {
                top[key] = Self.value(entry.value)
            }
        }
        do {
            return try YAMLWriter.write(.mapping(top))
        } catch {
            self.error(SourceLocation(file: shown(OrbPacker.rootFile), line: 1, column: 1), error.description)
            return nil
        }
    }

    /// The YAML value of `node`, mappings sorted by key, scalars keeping their type.
    static func value(_ node: ConfigNode) -> YAMLValue {
        switch node.value {
        case .scalar(let scalar):
            if scalar.isQuoted || YAMLWriter.isPlainSafe(scalar.text) { return .string(scalar.text) }
            if scalar.isNull { return .plain("null") }
            if scalar.bool != nil || Double(scalar.text) != nil { return .plain(scalar.text) }
            return .string(scalar.text)
        case .sequence(let elements):
            return .list(elements.map(value))
        case .mapping(let entries):
            // A key given twice (possible through differently typed keys, `1` and "1") keeps its last value.
            var mapping = OrderedDictionary(entries.map { ($0.key, value($0.value)) }, uniquingKeysWith: { $1 })
            mapping.sort { $0.key < $1.key }
            return .mapping(mapping)
        }
    }
}
