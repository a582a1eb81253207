// cibox — CI in a box. MIT licence, see LICENSE.

import NIOCore
import NIOHTTPTypes

/// Closes a connection whose request sends more than `limit` bytes of body. The API reads no request body, and
/// Hummingbird drains an unread one however long it is; this bounds what a client can make the server read.
final class RequestBodyLimit: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart

    private let limit: Int
    private var received = 0

    /// A limit of `limit` body bytes a request.
    init(limit: Int) { self.limit = limit }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head: received = 0
        case .body(let buffer):
            received += buffer.readableBytes
            guard received <= limit else {
                context.close(promise: nil)
                return
            }
        case .end: break
        }
        context.fireChannelRead(data)
    }
}
