import NIOCore

/// What the request decoder hands the connection: a head, the body in pieces (slices of the
/// read buffer, not copies), then the end. Every request ends with `.end`, with or without body.
enum RequestPart {
    case head(RequestHead)
    case body(ByteBuffer)
    case end
}
