#if canImport(Glibc)
import Glibc
#endif
import NIOCore

/// The listening port is taken: says which one and how to pick another, instead of NIO's
/// `bind(descriptor:ptr:bytes:): Address already in use (errno: 98)`.
public struct PortInUseError: Error, CustomStringConvertible {
    public let host: String
    public let port: Int
    /// The option that sets this port (`--port`, or `--metrics-port`).
    public let option: String

    public var description: String {
        "port \(port) on \(host) is already in use (another luaroutes serve?): stop that process, or pick another port with \(option), e.g. \(option) \(port == 65535 ? port - 1 : port + 1)"
    }

    /// `error` as a PortInUseError when it is the bind failing with EADDRINUSE.
    static func from(_ error: any Error, host: String, port: Int, option: String) -> any Error {
        if let io = error as? IOError, io.errnoCode == EADDRINUSE {
            return PortInUseError(host: host, port: port, option: option)
        }
        return error
    }
}
