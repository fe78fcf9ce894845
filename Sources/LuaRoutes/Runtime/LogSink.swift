import CLuaGlue
import Logging

/// Where `log.*` and `print` of one state go: the host's logger, with the route file and the
/// id of the request being served as metadata.
///
/// Called from C in the middle of a `lua_resume`: it must not touch the Lua state.
final class LogSink {
    var logger: Logger
    var requestID: String?

    init(logger: Logger) {
        self.logger = logger
    }

    static let callback: @convention(c) (UnsafeMutableRawPointer?, Int32, UnsafePointer<CChar>?, Int) -> Void = {
        host, level, message, length in
        guard let host, let message else { return }
        let sink = Unmanaged<LogSink>.fromOpaque(host).takeUnretainedValue()
        let text = message.withMemoryRebound(to: UInt8.self, capacity: length) {
            String(decoding: UnsafeBufferPointer(start: $0, count: length), as: UTF8.self)
        }
        sink.emit(level: level, text: text)
    }

    /// `text` is the message, then optional "\0key\0value" pairs the prelude appended.
    private func emit(level: Int32, text: String) {
        let parts = text.split(separator: "\0", omittingEmptySubsequences: false)
        var metadata: Logger.Metadata = [:]
        var i = 1
        while i + 1 < parts.count {
            metadata[String(parts[i])] = .string(String(parts[i + 1]))
            i += 2
        }
        if let requestID { metadata["request"] = .string(requestID) }
        let message = Logger.Message(stringLiteral: String(parts.first ?? ""))
        switch level {
        case 3: logger.error(message, metadata: metadata)
        case 2: logger.warning(message, metadata: metadata)
        default: logger.info(message, metadata: metadata)
        }
    }
}
