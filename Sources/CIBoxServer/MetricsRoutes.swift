// cibox — CI in a box. MIT licence, see LICENSE.

import Hummingbird
import NIOCore

/// `GET /metrics`: the Prometheus text of ``ServerMetrics``. A read like the API's others (see `AccessMiddleware`):
/// a scraper off loopback sends a viewer's token (`authorization: { credentials: TOKEN }` in Prometheus).
enum MetricsRoutes {
    static func add(to router: Router<some RequestContext>, sources: APISources, metrics: ServerMetrics) {
        router.get("/metrics") { _, _ in
            let text = try await Blocking.run { try metrics.scrape(status: sources.status()) }
            return Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
        }
    }
}
