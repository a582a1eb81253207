// cibox — see LICENSE (MIT).

#include "clibxml2.h"
#include "cibox_lazy_library.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <libxml/parser.h>
#include <string.h>
#include <unistd.h>

#define CIBOX_FORWARD(result, name, parameters, arguments)                                                   \
    CIBOX_LAZY_FORWARD("libxml2.so.2", "libxml2", result, name, parameters, arguments)
#define CIBOX_FORWARD_VOID(name, parameters, arguments)                                                      \
    CIBOX_LAZY_FORWARD_VOID("libxml2.so.2", "libxml2", name, parameters, arguments)

CIBOX_FORWARD(xmlParserCtxtPtr, xmlCreatePushParserCtxt,
              (xmlSAXHandlerPtr sax, void *user_data, const char *chunk, int size, const char *filename),
              (sax, user_data, chunk, size, filename))
CIBOX_FORWARD(int, xmlCtxtUseOptions, (xmlParserCtxtPtr ctxt, int options), (ctxt, options))
CIBOX_FORWARD(int, xmlParseChunk, (xmlParserCtxtPtr ctxt, const char *chunk, int size, int terminate),
              (ctxt, chunk, size, terminate))
CIBOX_FORWARD_VOID(xmlFreeParserCtxt, (xmlParserCtxtPtr ctxt), (ctxt))

/// One parse: the caller's handlers and context, and the first error.
struct parse_state {
    const cibox_xml_handlers *handlers;
    void *context;
    int error_code;
    int error_line;
    int error_column;
};

/// `prefix:name`, or `name` without a prefix, in `buffer` (cut to its size).
static const char *qualified(const xmlChar *prefix, const xmlChar *name, char *buffer, size_t size) {
    if (prefix == NULL) return (const char *)name;
    snprintf(buffer, size, "%s:%s", (const char *)prefix, (const char *)name);
    return buffer;
}

static void on_start(void *user, const xmlChar *localname, const xmlChar *prefix, const xmlChar *uri,
                     int namespace_count, const xmlChar **namespaces, int attribute_count, int defaulted_count,
                     const xmlChar **attributes) {
    (void)uri;
    (void)namespace_count;
    (void)namespaces;
    (void)defaulted_count;
    struct parse_state *state = user;
    if (state->error_code != 0) return;
    // libxml2 gives each attribute as five pointers: local name, prefix, URI, value start, value end.
    const char **pairs = calloc((size_t)attribute_count * 2 + 1, sizeof *pairs);
    char **names = calloc((size_t)attribute_count + 1, sizeof *names);
    if (pairs == NULL || names == NULL) {
        free(pairs);
        free(names);
        return;
    }
    for (int index = 0; index < attribute_count; index++) {
        const xmlChar *const *attribute = attributes + index * 5;
        char name[512];
        names[index] = strdup(qualified(attribute[1], attribute[0], name, sizeof name));
        size_t length = (size_t)(attribute[4] - attribute[3]);
        char *value = malloc(length + 1);
        if (value != NULL) {
            memcpy(value, attribute[3], length);
            value[length] = 0;
        }
        pairs[index * 2] = names[index] ? names[index] : "";
        pairs[index * 2 + 1] = value;
    }
    char element[512];
    state->handlers->start(state->context, qualified(prefix, localname, element, sizeof element), pairs);
    for (int index = 0; index < attribute_count; index++) {
        free(names[index]);
        free((char *)pairs[index * 2 + 1]);
    }
    free(pairs);
    free(names);
}

static void on_end(void *user, const xmlChar *localname, const xmlChar *prefix, const xmlChar *uri) {
    (void)uri;
    struct parse_state *state = user;
    char element[512];
    if (state->error_code == 0) state->handlers->end(state->context, qualified(prefix, localname, element, sizeof element));
}

static void on_text(void *user, const xmlChar *bytes, int length) {
    struct parse_state *state = user;
    if (state->error_code == 0) state->handlers->text(state->context, (const char *)bytes, length);
}

static void on_error(void *user, xmlErrorPtr error) {
    struct parse_state *state = user;
    if (state->error_code != 0 || error == NULL || error->level < XML_ERR_ERROR) return;
    state->error_code = error->code != 0 ? error->code : -1;
    state->error_line = error->line;
    state->error_column = error->int2;
}

/// SAX2 callbacks with structured errors.
static xmlSAXHandler handler_for_cibox(void) {
    xmlSAXHandler sax;
    memset(&sax, 0, sizeof sax);
    sax.initialized = XML_SAX2_MAGIC;
    sax.startElementNs = on_start;
    sax.endElementNs = on_end;
    sax.characters = on_text;
    sax.cdataBlock = on_text;
    sax.serror = on_error;
    return sax;
}

/// Reads chunks from `next` into a push parser until the end or the first error.
static int parse(const char *name, struct parse_state *state, int (*next)(void *source, char *buffer, int size),
                 void *source, int *line, int *column) {
    xmlSAXHandler sax = handler_for_cibox();
    xmlParserCtxtPtr parser = xmlCreatePushParserCtxt(&sax, state, NULL, 0, name);
    if (parser == NULL) return CIBOX_XML_UNREADABLE;
    xmlCtxtUseOptions(parser, XML_PARSE_NONET | XML_PARSE_NOWARNING);
    char buffer[64 * 1024];
    int unreadable = 0;
    for (;;) {
        int count = next(source, buffer, (int)sizeof buffer);
        if (count < 0) {
            unreadable = 1;
            break;
        }
        xmlParseChunk(parser, buffer, count, count == 0);
        if (count == 0 || state->error_code != 0) break;
    }
    xmlFreeParserCtxt(parser);
    if (unreadable && state->error_code == 0) return CIBOX_XML_UNREADABLE;
    if (line) *line = state->error_line;
    if (column) *column = state->error_column;
    return state->error_code;
}

static int next_from_file(void *source, char *buffer, int size) {
    int fd = *(int *)source;
    for (;;) {
        ssize_t count = read(fd, buffer, (size_t)size);
        if (count >= 0) return (int)count;
        if (errno != EINTR) return -1;
    }
}

/// What is left of a document held in memory.
struct memory_source {
    const char *bytes;
    int left;
};

static int next_from_memory(void *source, char *buffer, int size) {
    struct memory_source *memory = source;
    int count = memory->left < size ? memory->left : size;
    memcpy(buffer, memory->bytes, (size_t)count);
    memory->bytes += count;
    memory->left -= count;
    return count;
}

int cibox_xml_parse_file(const char *path, const cibox_xml_handlers *handlers, void *context, int *line,
                         int *column) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return CIBOX_XML_UNREADABLE;
    struct parse_state state = {handlers, context, 0, 0, 0};
    int result = parse(path, &state, next_from_file, &fd, line, column);
    close(fd);
    return result;
}

int cibox_xml_parse_memory(const char *bytes, int size, const char *name, const cibox_xml_handlers *handlers,
                           void *context, int *line, int *column) {
    struct memory_source memory = {bytes, size};
    struct parse_state state = {handlers, context, 0, 0, 0};
    return parse(name, &state, next_from_memory, &memory, line, column);
}
