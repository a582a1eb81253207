// cibox — see LICENSE (MIT).
// A streaming (SAX) XML parser over libxml2, for JUnit reports (CIBoxTestResults), with libxml2 loaded on
// first use (why: CLazyLibrary's cibox_lazy_library.h; Foundation's XMLParser linked libxml2 and ICU into
// every cibox start). libxml2's own types stay inside sax.c, so Swift needs no libxml2 headers.
#ifndef CIBOX_CLIBXML2_H
#define CIBOX_CLIBXML2_H

/// What the parser reports, as the document streams past; `context` is the caller's.
typedef struct {
    /// An element starts; `attributes` is name, value, name, value, …, NULL (or NULL when it has none).
    void (*start)(void *context, const char *name, const char *const *attributes);
    /// An element ends (also right after an empty element's start).
    void (*end)(void *context, const char *name);
    /// Text or CDATA, UTF-8, `length` bytes (not NUL-terminated).
    void (*text)(void *context, const char *bytes, int length);
} cibox_xml_handlers;

/// The code `cibox_xml_parse_*` return when the file cannot be opened or read.
#define CIBOX_XML_UNREADABLE (-2)

/// Parses the file at `path`, streamed from disk, stopping at the first error.
/// Returns 0 for a well-formed document, `CIBOX_XML_UNREADABLE`, or libxml2's error code (`xmlParserErrors`)
/// of the first error, whose line and column go to `line` and `column`. No network access and no external
/// entity or DTD is ever loaded.
int cibox_xml_parse_file(const char *path, const cibox_xml_handlers *handlers, void *context, int *line,
                         int *column);

/// Parses `size` bytes at `bytes` as ``cibox_xml_parse_file`` parses a file; `name` names the document.
int cibox_xml_parse_memory(const char *bytes, int size, const char *name, const cibox_xml_handlers *handlers,
                           void *context, int *line, int *column);

#endif
