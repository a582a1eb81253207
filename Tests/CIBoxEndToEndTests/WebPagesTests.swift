// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxTestSupport
import Foundation
import Testing

/// A home with one pipeline held for approval (a job with a hostile name whose log prints `<script>` in colour and
/// stores an artifact), served by `cibox daemon --listen 127.0.0.1:0`.
struct PagesHome {
    static let config = """
        version: 2.1
        jobs:
          "evil<script>alert(1)</script>":
            steps:
              - run: printf '\\033[31mred\\033[0m <script>alert(2)</script>\\n'
              - run: mkdir -p out && echo hi > 'out/a b&c.txt'
              - store_artifacts: {path: out}
          held:
            steps:
              - run: echo after approval
        workflows:
          w:
            jobs:
              - "evil<script>alert(1)</script>"
              - hold: {type: approval}
              - held: {requires: [hold]}
        """

    let cli: CLI
    let repository: GitFixture
    /// The project's name.
    let project: String
    /// The held pipeline.
    let pipeline: Int
    /// Its first job run (the hostile name) and the held approval job.
    let (job, hold): (Int, Int)
    let daemon: Process
    let base: String

    init(listen: String = "127.0.0.1:0") async throws {
        cli = try CLI()
        repository = try await Repositories.with(config: Self.config)
        let added = try await cli.run(["project", "add", repository.path])
        guard added.status == 0, let name = added.stdout.split(separator: "'").dropFirst().first else {
            throw FixtureError("cibox project add failed: \(added.stderr)")
        }
        project = String(name)
        let run = try await cli.run(["run", repository.path, "--json"])
        guard let id = try CLI.object(run).int("id") else { throw FixtureError("cibox run failed: \(run.stderr)") }
        pipeline = id
        let jobs = try CLI.object(try await cli.run(["show", String(id), "--json"])).objects("workflows")
            .flatMap { $0.objects("jobs") }
        guard let first = jobs.first?.int("id"),
            let held = jobs.first(where: { $0.string("name") == "hold" })?.int("id")
        else { throw FixtureError("no jobs in pipeline \(id)") }
        (job, hold) = (first, held)
        (daemon, _) = try cli.start(["daemon", "--listen", listen, "--grace-period", "2"])
        base = try await APIHome.address(of: cli.home.appending("http.address"), daemon: daemon)
    }

    /// `METHOD path`, with the session cookie `cookie`, the sign-in page's check cookie `check` and the form `form`
    /// (URL-encoded) when given.
    func request(
        _ path: String, method: String = "GET", cookie: String? = nil, check: String? = nil, form: String? = nil
    ) async throws -> HTTPReply {
        let cookies = [cookie.map { "cibox_session=\($0)" }, check.map { "cibox_sign_in=\($0)" }].compactMap { $0 }
        return try await HTTPReply.get(
            base + path, method: method, headers: cookies.isEmpty ? [] : ["Cookie: " + cookies.joined(separator: "; ")],
            body: form.map { Data($0.utf8) })
    }

    /// The sign-in page's check: the value of its form's `check` field, which its cookie repeats.
    func signInCheck() async throws -> String {
        let page = try await request("/sign-in")
        guard let check = page.text.firstMatch(of: /name="check" value="([0-9a-f]{64})"/).map({ String($0.1) }),
            page.headers["set-cookie"]?.hasPrefix("cibox_sign_in=\(check); ") == true
        else { throw FixtureError("no check on the sign-in page: \(page.headers) \(page.text)") }
        return check
    }

    /// Signs in with `token` from the sign-in page: the session id and the whole `Set-Cookie` value.
    func signIn(_ token: String) async throws -> (id: String, setCookie: String) {
        let check = try await signInCheck()
        let reply = try await request(
            "/sign-in", method: "POST", check: check,
            form: "check=\(check)&token=" + (token.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""))
        let setCookie = reply.headers["set-cookie"] ?? ""
        guard reply.status == 303, let value = setCookie.split(separator: ";").first?.split(separator: "=").last else {
            throw FixtureError("sign-in failed: \(reply.status) \(reply.text)")
        }
        return (String(value), setCookie)
    }

    /// A new token's secret.
    func token(_ name: String, role: String) async throws -> String {
        String(try await cli.run(["token", "create", name, "--role", role]).stdout.split(separator: "\n")[0])
    }

    /// The CSRF token of the forms of `page`.
    static func csrf(_ page: HTTPReply) -> String? {
        page.text.firstMatch(of: /name="csrf" value="([0-9a-f]{64})"/).map { String($0.1) }
    }

    /// The number of pipelines in the home.
    func pipelineCount() async throws -> Int {
        let listed = try await cli.run(["pipelines", "--json"])
        return (try JSONSerialization.jsonObject(with: Data(listed.stdout.utf8)) as? [Any])?.count ?? -1
    }

    /// Pipeline `id`'s status, once it is `status` (nil if it never gets there).
    func wait(for status: String, pipeline id: Int) async throws -> String? {
        for _ in 0..<600 {
            let shown = try CLI.object(try await cli.run(["show", String(id), "--json"]))
            if shown.string("status") == status { return status }
            try await Task.sleep(for: .milliseconds(100))
        }
        return nil
    }

    func stop() async {
        await daemon.stop()
        cli.home.remove()
        repository.remove()
    }
}

@Suite(.serialized, .machineSlot) struct WebPagesTests {
    @Test(.timeLimit(.minutes(3))) func everyPageShowsTheHistoryEscapedAndUnknownOnesAre404() async throws {
        let home = try await PagesHome()
        try await withCleanup {
            let pages: [(path: String, texts: [String])] = [
                ("/", ["<h1>Projects</h1>", "<a href=\"/projects/\(home.project)\">", "Recent pipelines"]),
                ("/projects/\(home.project)", ["Newest pipelines", "<a href=\"/pipelines/\(home.pipeline)\">#1</a>"]),
                ("/projects/\(home.project)?page=1", ["pipelines 1–50"]),
                ("/projects/\(home.project)/tests", ["Flaky tests"]),
                (
                    "/pipelines/\(home.pipeline)",
                    [
                        "Workflow w", "<a href=\"/jobs/\(home.job)\">evil&lt;script&gt;alert(1)&lt;/script&gt;</a>",
                        "<p class=\"actions\"><a href=\"/sign-in\">Sign in to act</a></p>",
                    ]
                ),
                (
                    "/jobs/\(home.job)",
                    [
                        "<h1>evil&lt;script&gt;alert(1)&lt;/script&gt;</h1>",
                        "<span class=\"fg1\">red</span> &lt;script&gt;alert(2)&lt;/script&gt;",
                        "<a href=\"/api/v1/jobs/\(home.job)/artifacts/out/a%20b%26c.txt\">out/a b&amp;c.txt</a>",
                    ]
                ),
            ]
            for page in pages {
                let reply = try await home.request(page.path)
                #expect(reply.status == 200, "\(page.path)")
                #expect(reply.headers["content-type"] == "text/html; charset=utf-8", "\(page.path)")
                for text in page.texts { #expect(reply.text.contains(text), "\(page.path) lacks \(text)") }
                #expect(reply.text.contains("<link rel=\"stylesheet\" href=\"/assets/report.css\">"))
                #expect(!reply.text.contains("<script>alert"), "\(page.path) lets a job's markup through")
            }
            let download = try await home.request("/api/v1/jobs/\(home.job)/artifacts/out/a%20b%26c.txt")
            #expect(download.status == 200 && download.text == "hi\n")
            let badge = try await home.request("/projects/\(home.project)/badge.svg?branch=main")
            #expect(badge.status == 200 && badge.headers["content-type"] == "image/svg+xml")

            for (path, message) in [
                ("/pipelines/999", "No pipeline with id 999."),
                ("/pipelines/abc", "No pipeline with id &#39;abc&#39;."),
                ("/jobs/999", "No job with id 999."), ("/projects/nope", "No project named &#39;nope&#39;."),
                ("/projects/\(home.project)?page=9", "Project &#39;\(home.project)&#39; has no such page."),
            ] {
                let reply = try await home.request(path)
                #expect(reply.status == 404, "\(path)")
                #expect(reply.text.contains("<p class=\"advice warning\" role=\"alert\">\(message)</p>"), "\(path)")
            }

            let css = try await home.request("/assets/report.css")
            #expect(css.status == 200 && css.headers["content-type"] == "text/css; charset=utf-8")
            #expect(css.text.hasPrefix("/* cibox — CI in a box."))
            let script = try await home.request("/assets/live.js")
            #expect(script.status == 200 && script.headers["content-type"] == "text/javascript; charset=utf-8")
            for path in [
                "/assets/../../../../etc/passwd", "/assets/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
                "/assets/..%2f..%2fetc%2fpasswd",
                "/assets/.%2e/settings.yml", "/assets/report.css/..", "/assets/", "/assets/refresh.js",
            ] {
                let reply = try await home.request(path)
                #expect(reply.status == 404, "\(path)")
                #expect(!reply.text.contains("root:"), "\(path)")
            }
        } cleanup: {
            await home.stop()
        }
    }

    @Test(.timeLimit(.minutes(3))) func signInGivesASessionCookieAndFormsActOnlyWithItsCSRFToken() async throws {
        let home = try await PagesHome()
        try await withCleanup {
            let operatorToken = try await home.token("op", role: "operator")
            let viewerToken = try await home.token("reader", role: "viewer")
            let form = try await home.request("/sign-in")
            #expect(
                form.status == 200 && form.text.contains("<form class=\"sign-in\" method=\"post\" action=\"/sign-in\">")
            )
            #expect(
                form.headers["set-cookie"]?.hasSuffix("; Path=/sign-in; HttpOnly; SameSite=Strict") == true,
                "\(form.headers)")
            let check = try await home.signInCheck()
            let wrong = try await home.request(
                "/sign-in", method: "POST", check: check, form: "check=\(check)&token=cibox_0123")
            #expect(wrong.status == 401 && wrong.headers["set-cookie"]?.hasPrefix("cibox_session") == false)
            #expect(
                wrong.text.contains(
                    "<p class=\"advice warning\" role=\"alert\">This token is not valid: it was revoked, or never made on "
                        + "this server.</p>"))

            // A form from elsewhere (no check cookie: another site's page cannot send it), or a check not the
            // cookie's: refused, and no session is made, even with a good token.
            let encoded = operatorToken.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
            let tokenField = "token=" + encoded
            for (cookie, field) in [(nil, check), (check, String(check.reversed())), (check, "")] {
                let forged = try await home.request(
                    "/sign-in", method: "POST", check: cookie, form: "check=\(field)&" + tokenField)
                #expect(forged.status == 403 && forged.headers["set-cookie"]?.hasPrefix("cibox_session") == false)
                #expect(
                    forged.text.contains(
                        "<p class=\"advice warning\" role=\"alert\">Sign in from this server&#39;s own sign-in page (this "
                            + "form was not sent from it).</p>"))
            }

            let (session, setCookie) = try await home.signIn(operatorToken)
            #expect(setCookie == "cibox_session=\(session); Path=/; HttpOnly; SameSite=Strict")
            #expect(session.count == 64 && session.allSatisfy(\.isHexDigit))
            let page = try await home.request("/pipelines/\(home.pipeline)", cookie: session)
            #expect(page.text.contains("<span>Signed in as op (operator)</span>"))
            let csrf = try #require(PagesHome.csrf(page))
            #expect(
                page.text.contains(
                    "<form method=\"post\" action=\"/pipelines/\(home.pipeline)/approve\"><input type=\"hidden\" "
                        + "name=\"csrf\" value=\"\(csrf)\"><input type=\"hidden\" name=\"job\" value=\"hold\"><button "
                        + "type=\"submit\">Approve hold</button></form>"))

            // Without the CSRF token, with a wrong one, or without a session: refused, and nothing happens.
            let outOfDate =
                "This form is out of date or not from this server (its CSRF token is wrong): reload the page and try again."
            let before = try await home.pipelineCount()
            for (path, fields) in [
                ("/pipelines/\(home.pipeline)/approve", "job=hold"),
                ("/pipelines/\(home.pipeline)/approve", "csrf=\(String(repeating: "0", count: 64))&job=hold"),
                ("/projects/\(home.project)/trigger", "branch=main"),
                ("/pipelines/\(home.pipeline)/cancel", "csrf=\(csrf.dropLast())"),
            ] {
                let refused = try await home.request(path, method: "POST", cookie: session, form: fields)
                #expect(refused.status == 403, "\(path) \(fields)")
                #expect(refused.text.contains(outOfDate), "\(path) \(fields)")
            }
            let anonymous = try await home.request(
                "/pipelines/\(home.pipeline)/approve", method: "POST", form: "csrf=\(csrf)&job=hold")
            #expect(
                anonymous.status == 401 && anonymous.text.contains("Sign in first: this needs an operator&#39;s token.")
            )
            let (viewer, _) = try await home.signIn(viewerToken)
            let viewerPage = try await home.request("/pipelines/\(home.pipeline)", cookie: viewer)
            #expect(viewerPage.text.contains("<a href=\"/sign-in\">Sign in with an operator's token to act</a>"))
            let viewerCSRF = try #require(PagesHome.csrf(viewerPage))
            let tooLow = try await home.request(
                "/pipelines/\(home.pipeline)/approve", method: "POST", cookie: viewer,
                form: "csrf=\(viewerCSRF)&job=hold")
            #expect(tooLow.status == 403)
            #expect(
                tooLow.text.contains(
                    "The token &#39;reader&#39; is a viewer&#39;s; this needs an operator&#39;s or more."))
            #expect(try await home.pipelineCount() == before)
            #expect(try await home.wait(for: "on_hold", pipeline: home.pipeline) == "on_hold")

            // With it: the button acts and the browser is sent to the pipeline's page.
            let approved = try await home.request(
                "/pipelines/\(home.pipeline)/approve", method: "POST", cookie: session, form: "csrf=\(csrf)&job=hold")
            #expect(approved.status == 303 && approved.headers["location"] == "/pipelines/\(home.pipeline)")
            #expect(try await home.wait(for: "success", pipeline: home.pipeline) == "success")
            let rerun = try await home.request(
                "/pipelines/\(home.pipeline)/rerun", method: "POST", cookie: session, form: "csrf=\(csrf)")
            #expect(rerun.status == 303 && rerun.headers["location"] == "/pipelines/\(home.pipeline + 1)")
            let triggered = try await home.request(
                "/projects/\(home.project)/trigger", method: "POST", cookie: session, form: "csrf=\(csrf)&branch=nope")
            #expect(triggered.status == 422 && triggered.text.contains("Revision &#39;refs/heads/nope&#39; not found"))

            let signedOut = try await home.request("/sign-out", method: "POST", cookie: session, form: "csrf=\(csrf)")
            #expect(signedOut.status == 303 && signedOut.headers["location"] == "/")
            #expect(signedOut.headers["set-cookie"] == "cibox_session=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0")
            let after = try await home.request("/pipelines/\(home.pipeline)", cookie: session)
            #expect(after.status == 200 && !after.text.contains("Signed in as"))
            let stale = try await home.request(
                "/pipelines/\(home.pipeline)/rerun", method: "POST", cookie: session, form: "csrf=\(csrf)")
            #expect(stale.status == 401)
            // A session ends when its token is revoked.
            #expect(try await home.cli.run(["token", "revoke", "reader"]).status == 0)
            let revoked = try await home.request("/", cookie: viewer)
            #expect(revoked.status == 200 && !revoked.text.contains("Signed in as"))
        } cleanup: {
            await home.stop()
        }
    }

    @Test(.timeLimit(.minutes(2))) func offLoopbackABrowserIsSentToSignInAndTheAPIStillSays401() async throws {
        let home = try await PagesHome(listen: "0.0.0.0:0")
        try await withCleanup {
            for path in ["/", "/pipelines/\(home.pipeline)", "/jobs/\(home.job)", "/projects/\(home.project)"] {
                let reply = try await home.request(path)
                #expect(reply.status == 303 && reply.headers["location"] == "/sign-in", "\(path)")
            }
            let api = try await home.request("/api/v1/pipelines")
            #expect(api.status == 401 && api.message == WebAPIAccessTests.needsToken)
            #expect(try await home.request("/sign-in").status == 200)
            #expect(try await home.request("/assets/report.css").status == 200)
            let (session, _) = try await home.signIn(try await home.token("reader", role: "viewer"))
            let page = try await home.request("/jobs/\(home.job)", cookie: session)
            #expect(page.status == 200 && page.text.contains("<span>Signed in as reader (viewer)</span>"))
            let viaCookie = try await home.request("/api/v1/pipelines/\(home.pipeline)", cookie: session)
            #expect(viaCookie.status == 200)
        } cleanup: {
            await home.stop()
        }
    }
}

/// The daemon's pages in headless Chromium, as the static report's `BrowserTests` opens its files: a screenshot of
/// each, no console message, and the DOM after the live script ran (a held pipeline's page is fetched again; a job
/// waiting to run follows its log stream).
@Suite(
    .serialized, .machineSlot,
    .enabled(if: Browser.path != nil, "chromium is not installed; scripts/install-deps.sh installs Debian's chromium"))
struct WebPagesBrowserTests {
    @Test(.timeLimit(.minutes(5))) func everyPageRendersWithoutConsoleErrors() async throws {
        let browser = try #require(Browser.path)
        let home = try await PagesHome()
        let screenshots = try TemporaryDirectory(prefix: "cibox-pages-screenshots")
        print("WebPagesBrowserTests: screenshots in \(screenshots.path)")
        try await withCleanup {
            let blocked = home.hold + 1
            // Each page's DOM is read after 5 s of the page's (virtual) time, so the held pipeline's page was fetched
            // again; the waiting job's at once (its log stream stays open, and holds virtual time).
            let pages: [(kind: String, path: String, text: String)] = [
                ("index", "/", "Recent pipelines"),
                ("project", "/projects/\(home.project)", "Newest pipelines"),
                ("tests", "/projects/\(home.project)/tests", "Flaky tests"),
                ("pipeline", "/pipelines/\(home.pipeline)", "Sign in to act"),
                ("job", "/jobs/\(home.job)", "&lt;script&gt;alert(2)&lt;/script&gt;"),
                ("waiting-job", "/jobs/\(blocked)", "<details class=\"step\" id=\"live-output\" open=\"\">"),
                ("sign-in", "/sign-in", "<form class=\"sign-in\" method=\"post\" action=\"/sign-in\">"),
            ]
            for page in pages {
                let url = home.base + page.path
                let profile = screenshots.appending("profile-\(page.kind)")
                let shot = screenshots.appending("\(page.kind).png")
                let (logged, size) = try await Browser.screenshot(browser, url: url, file: shot, profile: profile)
                #expect(Browser.consoleLines(logged.stderr).isEmpty, "\(page.kind): \(logged.stderr.suffix(600))")
                #expect(size > 1000, "\(page.kind): no screenshot at \(shot)")
                let budget = page.kind == "waiting-job" ? [] : ["--virtual-time-budget=5000"]
                let dom = try await Browser.run(
                    browser,
                    ["--enable-logging=stderr", "--v=0", "--user-data-dir=\(profile)"] + budget + ["--dump-dom", url])
                #expect(Browser.consoleLines(dom.stderr).isEmpty, "\(page.kind): \(dom.stderr.suffix(600))")
                #expect(dom.stdout.contains("<main>"), "\(page.kind): the DOM has no <main>")
                #expect(dom.stdout.contains(page.text), "\(page.kind): the DOM lacks \(page.text)")
            }
        } cleanup: {
            await home.stop()
        }
    }
    @Test(.timeLimit(.minutes(3))) func aRunningJobsPageFollowsItsOutputToTheEnd() async throws {
        let browser = try #require(Browser.path)
        let cli = try CLI()
        // Host jobs have a /tmp of their own, so the job cannot wait for a file of the test's: it prints its last line
        // 6 s after starting, long after the browser opened its page; the page can show that line and the job's end
        // only through its script (the log stream, then the page fetched again at its end event).
        let repository = try await Repositories.with(
            config: """
                version: 2.1
                jobs:
                  slow:
                    steps:
                      - run: echo early; sleep 6; printf '\\033[32mlate line\\033[0m\\n'
                workflows:
                  w:
                    jobs: [slow]
                """)
        let profile = try TemporaryDirectory(prefix: "cibox-live-profile")
        #expect(try await cli.run(["project", "add", repository.path]).status == 0)
        let (daemon, _) = try cli.start(["daemon", "--listen", "127.0.0.1:0", "--grace-period", "2"])
        try await withCleanup {
            let base = try await APIHome.address(of: cli.home.appending("http.address"), daemon: daemon)
            let token = String(
                try await cli.run(["token", "create", "op", "--role", "operator"]).stdout.split(separator: "\n")[0])
            let name = URL(fileURLWithPath: repository.path).lastPathComponent
            let triggered = try await HTTPReply.get(
                base + "/api/v1/projects/\(name)/pipelines", method: "POST",
                headers: ["Authorization: Bearer \(token)"],
                body: Data(#"{"branch": "main"}"#.utf8))
            let created = try #require(try triggered.json() as? [String: Any], "\(triggered.text)")
            let job = try #require(created.objects("workflows").first?.objects("jobs").first?.int("id"))
            let result = try await Browser.run(
                browser,
                [
                    "--enable-logging=stderr", "--v=0", "--user-data-dir=\(profile.path)",
                    "--virtual-time-budget=30000",
                    "--dump-dom", base + "/jobs/\(job)",
                ])
            let pipeline = try #require(created.int("id"))
            let shown = try CLI.object(try await cli.run(["show", String(pipeline), "--json"]))
            #expect(shown.string("status") == "success", "the pipeline ended while the browser had its job's page open")
            #expect(Browser.consoleLines(result.stderr).isEmpty, "\(result.stderr.suffix(600))")
            #expect(result.stdout.contains("<span class=\"fg2\">late line</span>"), "\(result.stdout.suffix(2000))")
            #expect(result.stdout.contains("<dt>Status</dt><dd><span class=\"status status-success\">"))
            #expect(!result.stdout.contains("data-running"))
        } cleanup: {
            await daemon.stop()
            cli.home.remove()
            repository.remove()
            profile.remove()
        }
    }
}
