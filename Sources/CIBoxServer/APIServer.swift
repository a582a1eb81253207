// cibox — CI in a box. MIT licence, see LICENSE.

package import CIBoxModel
import CIBoxStore
import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
package import Logging
import NIOCore
import ServiceLifecycle
import Synchronization

/// The daemon's HTTP API as a service of its `ServiceGroup`: it listens on a loopback address, writes the address it
/// got to a file while it serves, and stops accepting at the group's graceful shutdown.
package struct APIServer: Service {
    /// Idle connections are closed after this long.
    static let idleTimeout = TimeAmount.seconds(30)
    /// At most this many connections at once; more wait in the listen backlog.
    static let maximumConnections = 256
    /// A request sending more body than this is cut off (no endpoint reads one).
    static let maximumBody = 64 * 1024

    let listen: ListenAddress
    /// Whether reads need no token (loopback only, or `http: { public_read: true }`).
    let openReads: Bool
    let addressFile: String
    /// The certificate and key HTTPS is served with; nil: plain HTTP.
    let tls: ServerTLS?
    let sources: APISources
    /// What `/metrics` counts from the server's start.
    let metrics: ServerMetrics
    let logger: Logger

    /// A server on `listen` that writes `http://HOST:PORT` (`https://` with `tls`) to `addressFile` once it listens
    /// and removes it when it stops. Reads need a viewer's token unless `listen` is a loopback address or `publicRead`.
    /// With `tls`, the browser's session cookie is also marked `Secure`.
    package init(
        listen: ListenAddress, publicRead: Bool = false, tls: ServerTLS? = nil, addressFile: String,
        sources: APISources, logger: Logger
    ) {
        self.listen = listen
        openReads = listen.isLoopback || publicRead
        self.tls = tls
        self.addressFile = addressFile
        self.sources = sources
        metrics = ServerMetrics(store: sources.store)
        self.logger = logger
    }

    /// Whether the API is served over HTTPS (so that a browser session's cookie can be `Secure`).
    package var usesTLS: Bool { tls != nil }

    package func run() async throws {
        unlink(addressFile)
        defer { unlink(addressFile) }
        let listening = ListeningFlag()
        let http1 = HTTPServerBuilder.http1(
            configuration: .init(
                additionalChannelHandlers: [RequestBodyLimit(limit: Self.maximumBody)],
                idleTimeout: Self.idleTimeout,
                httpDecoderConfiguration: .init(
                    maxHeaderFieldSize: 8 * 1024, maxHeaderListSize: 16 * 1024, maxHeaderFieldCount: 100)))
        let scheme = usesTLS ? "https" : "http"
        let application = Application(
            router: Self.router(sources, metrics: metrics, openReads: openReads, secureCookies: usesTLS),
            server: try tls.map { try .tls(http1, tlsConfiguration: $0.configuration) } ?? http1,
            configuration: .init(
                address: .hostname(listen.host, port: listen.port), serverName: "cibox",
                availableConnectionsDelegate: MaximumAvailableConnections(Self.maximumConnections)),
            onServerRunning: { [addressFile, listen, scheme] channel in
                var bound = listen
                bound.port = channel.localAddress?.port ?? listen.port
                listening.set()
                do {
                    try Data("\(scheme)://\(bound)\n".utf8).write(
                        to: URL(fileURLWithPath: addressFile), options: .atomic)
                } catch {
                    logger.error("cannot write the API's address", metadata: ["file": "\(addressFile)"])
                }
            },
            logger: logger)
        do {
            try await application.run()
        } catch  where !listening.isSet {
            throw APIServerError(message: "Cannot listen on \(listen): \(error).")
        }
    }

    /// Every route (`HEAD` too, for `curl -I`), behind the middleware that gives errors the API's shape.
    static func router(
        _ sources: APISources, metrics: ServerMetrics, openReads: Bool, secureCookies: Bool
    ) -> Router<ServerContext> {
        let router = Router(context: ServerContext.self, options: .autoGenerateHeadEndpoints)
        let sessions = BrowserSessions()
        router.add(middleware: JSONErrorMiddleware())
        router.add(middleware: AccessMiddleware(tokens: sources.store.tokens, sessions: sessions, openReads: openReads))
        PipelineRoutes.add(to: router, sources: sources)
        JobRoutes.add(to: router, sources: sources)
        ActionRoutes.add(to: router, actions: sources.actions)
        ProjectRoutes.add(to: router, sources: sources)
        MetricsRoutes.add(to: router, sources: sources, metrics: metrics)
        SignInRoutes.add(to: router, tokens: sources.store.tokens, sessions: sessions, secureCookies: secureCookies)
        PageRoutes.add(to: router, sources: sources)
        FormRoutes.add(to: router, actions: sources.actions)
        return router
    }
}

/// The API server could not start (its address is taken or not this machine's).
package struct APIServerError: Error {
    /// What went wrong, for the user.
    package var message: String
}

/// Whether the server got as far as listening (set once, from the server's channel).
private final class ListeningFlag: Sendable {
    private let flag = Mutex(false)
    func set() { flag.withLock { $0 = true } }
    var isSet: Bool { flag.withLock { $0 } }
}
