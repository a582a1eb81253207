// cibox — CI in a box. MIT licence, see LICENSE.

import Testing

@testable import CIBoxExecutor

@Suite struct SecretMaskerTests {
    func mask(_ chunks: [String], secrets: [String]) -> String {
        guard var masker = SecretMasker(secrets) else { return chunks.joined() }
        var output: [UInt8] = []
        for chunk in chunks { output += masker.process(Array(chunk.utf8)[...]) }
        output += masker.flush()
        return String(decoding: output, as: UTF8.self)
    }

    @Test func masksEveryOccurrence() {
        #expect(mask(["token=hunter22 and hunter22\n"], secrets: ["hunter22"]) == "token=**** and ****\n")
    }

    @Test(arguments: 1..<8)
    func masksASecretSplitAcrossChunks(_ cut: Int) {
        let text = "before hunter22 after"
        let index = text.index(text.startIndex, offsetBy: 7 + cut)
        #expect(mask([String(text[..<index]), String(text[index...])], secrets: ["hunter22"]) == "before **** after")
    }

    @Test func longerSecretsWinAndShortOnesAreLeftAlone() {
        #expect(mask(["abcdefgh abcd abc"], secrets: ["abcd", "abcdefgh", "abc"]) == "**** **** abc")
        #expect(SecretMasker(["abc", ""]) == nil)
    }
}
