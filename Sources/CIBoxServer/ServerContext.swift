// cibox — CI in a box. MIT licence, see LICENSE.

import Hummingbird

/// A request's context: Hummingbird's, plus the browser session it came with (set by ``AccessMiddleware``).
struct ServerContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    /// The signed-in browser's session and the cookie value that names it; nil for a request without one (or with a
    /// Bearer token).
    var session: (id: String, session: BrowserSession)?

    init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
    }
}
