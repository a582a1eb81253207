// cibox — CI in a box. MIT licence, see LICENSE.

import Testing

@testable import CIBoxReport

@Suite struct HTMLTests {
    @Test func interpolatedStringsAreEscapedAndLiteralsAreKept() {
        let name = "<script>alert('x') & \"y\"</script>"
        let html: HTML = "<td title=\"\(name)\">\(name)</td>"
        #expect(
            html.markup
                == "<td title=\"&lt;script&gt;alert(&#39;x&#39;) &amp; &quot;y&quot;&lt;/script&gt;\">"
                + "&lt;script&gt;alert(&#39;x&#39;) &amp; &quot;y&quot;&lt;/script&gt;</td>")
    }

    @Test func markupIsInsertedOnlyWhenItIsHTML() {
        let inner: HTML = "<b>\("1 < 2")</b>"
        let outer: HTML = "<p>\(inner) \(42)</p>"
        #expect(outer.markup == "<p><b>1 &lt; 2</b> 42</p>")
        #expect(HTML.text("<i>").markup == "&lt;i&gt;")
    }

    @Test func controlCharactersBecomeVisibleAndNoncharactersReplacementCharacters() {
        #expect(HTML.escape("a\u{0}b\u{1}c\u{7F}\td\n") == "a\u{2400}b\u{2401}c\u{2421}\td\n")
        let noncharacters =
            "x\u{85}y" + String(Character(Unicode.Scalar(0xFFFE)!)) + "z" + String(Character(Unicode.Scalar(0xFDD0)!))
        #expect(HTML.escape(noncharacters) == "x\u{FFFD}y\u{FFFD}z\u{FFFD}")
        #expect(HTML.escape("plain ascii and ünïcode ✓") == "plain ascii and ünïcode ✓")
    }
}
