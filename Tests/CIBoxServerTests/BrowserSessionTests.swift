// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxModel
import Foundation
import Testing

@testable import CIBoxServer

@Suite struct BrowserSessionTests {
    static let session = BrowserSession(
        name: "op", role: .operator, tokenCreatedAt: Date(timeIntervalSince1970: 1_000), csrf: BrowserSessions.newCSRF()
    )

    @Test func aSessionIsFoundByItsIdUntilItIsUnusedForTwelveHoursOrEnded() {
        let sessions = BrowserSessions()
        let start = Date(timeIntervalSince1970: 2_000_000)
        let id = sessions.start(Self.session, at: start)
        #expect(id.count == 64 && id.allSatisfy(\.isHexDigit))
        #expect(sessions.find(id, at: start.addingTimeInterval(11 * 3600)) == Self.session)
        // Each use starts its idle time again.
        #expect(sessions.find(id, at: start.addingTimeInterval(22 * 3600)) == Self.session)
        #expect(sessions.find(id, at: start.addingTimeInterval(34 * 3600 + 1)) == nil)
        #expect(sessions.find(id, at: start.addingTimeInterval(22 * 3600)) == nil, "an expired session is gone")
        let other = sessions.start(Self.session, at: start)
        #expect(other != id)
        sessions.end(other)
        #expect(sessions.find(other, at: start) == nil)
        #expect(sessions.find(String(repeating: "0", count: 64), at: start) == nil)
        #expect(sessions.find("short", at: start) == nil)
    }

    @Test func csrfTokensAreComparedWhole() {
        let token = BrowserSessions.newCSRF()
        #expect(token.count == 64 && token != BrowserSessions.newCSRF())
        #expect(BrowserSessions.matches(token, token))
        #expect(!BrowserSessions.matches(String(token.dropLast()), token))
        #expect(!BrowserSessions.matches(String(token.dropLast()) + "x", token))
        #expect(!BrowserSessions.matches("", token))
    }

    @Test func formFieldsAreDecodedAsBrowsersEncodeThem() {
        let fields = FormFields(body: "csrf=abc&branch=feature%2Flogin&note=a+b%26c&csrf=second&bad=%zz&empty=&flag")
        #expect(fields["csrf"] == "abc", "the first of a repeated field")
        #expect(fields["branch"] == "feature/login")
        #expect(fields["note"] == "a b&c")
        #expect(fields["bad"] == nil && fields["empty"] == "" && fields["flag"] == "")
    }

    @Test func theSessionCookieIsHttpOnlyAndStrictAndSecureUnderTLS() {
        #expect(SignInRoutes.cookie("ab12", secure: false) == "cibox_session=ab12; Path=/; HttpOnly; SameSite=Strict")
        #expect(
            SignInRoutes.cookie("ab12", secure: true) == "cibox_session=ab12; Path=/; HttpOnly; SameSite=Strict; Secure"
        )
        #expect(
            SignInRoutes.cookie("", secure: true, expired: true)
                == "cibox_session=; Path=/; HttpOnly; SameSite=Strict; Secure; Max-Age=0")
    }
}
