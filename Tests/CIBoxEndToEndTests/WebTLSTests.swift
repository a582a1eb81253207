// cibox — CI in a box. MIT licence, see LICENSE.

import CIBoxTestSupport
import Foundation
import Testing

/// `http: { tls: { certificate, key } }`: the built daemon serves HTTPS with a self-signed certificate made here,
/// refuses plain HTTP, and stops with a message naming the file when one is missing or wrong.
@Suite(.serialized, .machineSlot) struct WebTLSTests {
    /// A self-signed certificate for 127.0.0.1 and its key, made in `folder` with openssl.
    static func certificate(in folder: TemporaryDirectory, name: String = "server") async throws -> (String, String) {
        let (certificate, key) = (folder.appending("\(name).pem"), folder.appending("\(name)-key.pem"))
        let made = try await ProcessRunner.run(
            "/usr/bin/openssl",
            [
                "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "2",
                "-subj", "/CN=cibox test", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key, "-out",
                certificate,
            ])
        guard made.status == 0 else { throw FixtureError("openssl failed: \(made.stderr)") }
        return (certificate, key)
    }

    static func settings(certificate: String, key: String) -> String {
        "http:\n  listen: \"127.0.0.1:0\"\n  tls: { certificate: \"\(certificate)\", key: \"\(key)\" }\n"
    }

    /// curl's exit status and the response's status code (`000` when there was none).
    static func curl(_ arguments: [String]) async throws -> (Int32, String) {
        let output = try await ProcessRunner.run(
            "/usr/bin/curl", ["-sS", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "20"] + arguments)
        return (output.status, output.stdout)
    }

    /// Served with the files of the settings, or of `--tls-certificate` and `--tls-key`.
    @Test(.timeLimit(.minutes(2)), arguments: [false, true]) func theAPIIsServedOverHTTPSOnly(fromFlags: Bool)
        async throws
    {
        let cli = try CLI()
        let folder = try TemporaryDirectory(prefix: "cibox-tls")
        let (certificate, key) = try await Self.certificate(in: folder)
        let token = try await cli.run(["token", "create", "browser", "--role", "viewer"]).stdout
            .split(separator: "\n")[0]
        var arguments = ["daemon", "--grace-period", "2"]
        if fromFlags {
            arguments += ["--listen", "127.0.0.1:0", "--tls-certificate", certificate, "--tls-key", key]
        } else {
            try cli.home.write(Self.settings(certificate: certificate, key: key), to: "settings.yml")
        }
        let (daemon, _) = try cli.start(arguments)
        try await withCleanup {
            let base = try await APIHome.address(of: cli.home.appending("http.address"), daemon: daemon)
            #expect(base.hasPrefix("https://127.0.0.1:"), "\(base)")
            let secure = try await Self.curl(["--cacert", certificate, base + "/api/v1/status"])
            #expect(secure.0 == 0 && secure.1 == "200")
            let metrics = try await Self.curl(["--cacert", certificate, base + "/metrics"])
            #expect(metrics.0 == 0 && metrics.1 == "200")
            // Without the certificate as a trusted root, curl refuses the server (it is really TLS).
            let untrusted = try await Self.curl([base + "/healthz"])
            #expect(untrusted.0 == 60, "SSL certificate problem")
            let plain = try await Self.curl(["http://" + base.dropFirst("https://".count) + "/healthz"])
            #expect(plain.0 != 0 && plain.1 == "000", "plain HTTP gets no answer")
            // Over TLS the browser's cookies are sent back only over TLS.
            let (jar, page) = (folder.appending("cookies"), folder.appending("sign-in.html"))
            _ = try await ProcessRunner.run(
                "/usr/bin/curl", ["-sS", "--cacert", certificate, "-c", jar, "-o", page, base + "/sign-in"])
            let check = try #require(
                try String(contentsOfFile: page, encoding: .utf8).firstMatch(of: /name="check" value="([0-9a-f]+)"/))
            let headers = folder.appending("sign-in-headers")
            let signedIn = try await Self.curl([
                "--cacert", certificate, "-b", jar, "-D", headers, "--data-urlencode", "token=\(token)",
                "--data-urlencode", "check=\(check.1)", base + "/sign-in",
            ])
            #expect(signedIn.1 == "303")
            let cookie = try String(contentsOfFile: headers, encoding: .utf8).split(separator: "\r\n")
                .first { $0.lowercased().hasPrefix("set-cookie:") }
            #expect(cookie?.hasSuffix("; Path=/; HttpOnly; SameSite=Strict; Secure") == true, "\(cookie ?? "")")
            // curl's jar marks a Secure cookie with TRUE in its fourth column.
            let saved = try String(contentsOfFile: jar, encoding: .utf8).split(separator: "\n")
                .first { $0.hasSuffix("cibox_sign_in\t" + check.1) }
            #expect(saved?.split(separator: "\t").dropFirst(3).first == "TRUE", "\(saved ?? "")")
        } cleanup: {
            await daemon.stop()
            cli.home.remove()
            folder.remove()
        }
    }

    @Test(.timeLimit(.minutes(1))) func theFlagsGoTogether() async throws {
        let cli = try CLI()
        defer { cli.home.remove() }
        let alone = try await cli.run(["daemon", "--listen", "127.0.0.1:0", "--tls-certificate", "/etc/cert.pem"])
        #expect(alone.status == 64)
        #expect(
            alone.stderr.hasPrefix("Error: --tls-certificate and --tls-key go together: give both (PEM files).\n"),
            "\(alone.stderr)")
    }

    @Test(.timeLimit(.minutes(2))) func aMissingOrWrongCertificateOrKeyStopsTheDaemonNamingTheFile() async throws {
        let cli = try CLI()
        let folder = try TemporaryDirectory(prefix: "cibox-tls")
        try await withCleanup {
            let (certificate, key) = try await Self.certificate(in: folder)
            let (_, otherKey) = try await Self.certificate(in: folder, name: "other")
            let missing = folder.appending("missing.pem")
            try folder.write("not a certificate\n", to: "garbage.pem")
            let garbage = folder.appending("garbage.pem")
            let hint =
                "Point http.tls.%@ in settings.yml (or --tls-%@) at a PEM file that the user running `cibox daemon` "
                + "can read."
            for (files, message) in [
                (
                    (missing, key),
                    "Cannot read the TLS certificate '\(missing)': there is no such file. "
                        + String(format: hint, "certificate", "certificate")
                ),
                (
                    (certificate, folder.path),
                    "Cannot read the TLS key '\(folder.path)': it is a folder. " + String(format: hint, "key", "key")
                ),
                (
                    (garbage, key),
                    "The TLS certificate '\(garbage)' is not a PEM certificate: it must hold "
                        + "'-----BEGIN CERTIFICATE-----' blocks, the server's own first, then any intermediates "
                        + "(`openssl x509 -in \(garbage) -noout -subject` shows the first)."
                ),
                (
                    (certificate, garbage),
                    "The TLS key '\(garbage)' is not a PEM private key: it must hold one unencrypted "
                        + "'-----BEGIN PRIVATE KEY-----' block (`openssl pkey -in \(garbage) -noout` checks it; "
                        + "`openssl pkey -in ENCRYPTED -out \(garbage)` removes a passphrase)."
                ),
                (
                    (certificate, otherKey),
                    "The TLS key '\(otherKey)' is not the key of the certificate '\(certificate)': give the key "
                        + "the certificate was made with."
                ),
            ] {
                try cli.home.write(Self.settings(certificate: files.0, key: files.1), to: "settings.yml")
                let refused = try await cli.run(["daemon"])
                #expect(refused.status == 1, "\(files)")
                // (Before it, cibox may warn that it made the home's new files private.)
                #expect(refused.stderr.split(separator: "\n").filter { $0.hasPrefix("error") } == ["error: \(message)"])
                #expect(!FileManager.default.fileExists(atPath: cli.home.appending("http.address")))
            }
        } cleanup: {
            cli.home.remove()
            folder.remove()
        }
    }
}
