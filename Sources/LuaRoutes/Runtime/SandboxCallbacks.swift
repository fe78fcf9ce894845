import CLuaGlue
import Logging

/// What the C glue calls back into while a state runs: the log sink (`log.*`, `print`) and the
/// start of a `fetch`. One per route worker; `current` is the request whose code is running.
///
/// Called from C in the middle of a `lua_resume`: nothing here may touch the Lua state, and
/// nothing may resume Lua (fetch answers always arrive later, on the event loop).
final class SandboxCallbacks {
    var logger: Logger
    /// Set by the worker around each resume of a request; nil at module scope.
    var current: InFlightRequest?
    /// Starts a fetch for `current`; returns an error text instead when it cannot start.
    var startFetch: ((InFlightRequest, FetchSpec) -> String?)?
    var fetchSettings = FetchSettings()

    init(logger: Logger) {
        self.logger = logger
    }

    func install(in context: UnsafeMutablePointer<lr_ctx>) {
        context.pointee.host = Unmanaged.passUnretained(self).toOpaque()
        context.pointee.log = SandboxCallbacks.logCallback
        context.pointee.fetch_start = SandboxCallbacks.fetchCallback
        context.pointee.stream_write = SandboxCallbacks.streamWriteCallback
    }

    static let logCallback: @convention(c) (UnsafeMutableRawPointer?, Int32, UnsafePointer<CChar>?, Int) -> Void = {
        host, level, message, length in
        guard let host, let message else { return }
        let sink = Unmanaged<SandboxCallbacks>.fromOpaque(host).takeUnretainedValue()
        sink.emit(level: level, text: String(bytes: message, count: length))
    }

    static let fetchCallback: @convention(c) (UnsafeMutableRawPointer?, UnsafePointer<lr_fetch_request>?, UnsafeMutablePointer<CChar>?, Int) -> Int32 = {
        host, request, errorBuffer, errorCapacity in
        guard let host, let request else { return 1 }
        let sink = Unmanaged<SandboxCallbacks>.fromOpaque(host).takeUnretainedValue()
        let error = sink.fetch(request.pointee)
        guard let error else { return 0 }
        if let errorBuffer, errorCapacity > 0 {
            var bytes = Array(error.utf8.prefix(errorCapacity - 1))
            bytes.append(0)
            bytes.withUnsafeBufferPointer { source in
                source.withMemoryRebound(to: CChar.self) { errorBuffer.update(from: $0.baseAddress!, count: $0.count) }
            }
        }
        return 1
    }

    private func fetch(_ request: lr_fetch_request) -> String? {
        guard let current, let startFetch else {
            return "fetch: only available while handling a request (not at module scope)"
        }
        var headers: [(name: String, value: String)] = []
        let parts = String(bytes: request.headers, count: request.headers_len).split(separator: "\0", omittingEmptySubsequences: false)
        var i = 0
        while i + 1 < parts.count { headers.append((String(parts[i]), String(parts[i + 1]))); i += 2 }
        var body: [UInt8]?
        if let raw = request.body {
            body = raw.withMemoryRebound(to: UInt8.self, capacity: request.body_len) { Array(UnsafeBufferPointer(start: $0, count: request.body_len)) }
        }
        let timeout = Self.fetchTimeout(seconds: request.timeout_seconds) ?? fetchSettings.timeout
        let spec = FetchSpec(url: String(bytes: request.url, count: request.url_len),
                             method: String(bytes: request.method, count: request.method_len),
                             headers: headers, body: body, timeout: timeout, settings: fetchSettings)
        return startFetch(current, spec)
    }

    /// res.write: keeps the chunk (and the head, with the first) for the worker, which sends it
    /// once the resume is over (RouteWorker+stream.swift). Reads the head's tables without
    /// raising API: rawget/rawgeti and strings only.
    static let streamWriteCallback: @convention(c) (UnsafeMutableRawPointer?, OpaquePointer?, Int32, UnsafePointer<CChar>?, Int) -> Int32 = {
        host, thread, headIndex, chunk, length in
        guard let host, let thread else { return -1 }
        let sink = Unmanaged<SandboxCallbacks>.fromOpaque(host).takeUnretainedValue()
        guard let current = sink.current, !current.isAfterWork else { return -1 }   // res.after runs after the answer
        if current.stream?.closed == true { return 1 }
        var head: APIResponse?
        if headIndex > 0 {
            let status = Int(lua_tointegerx(thread, headIndex, nil))
            let headers = RouteWorker.headers(names: headIndex + 1, values: headIndex + 2, on: thread, in: current.sandbox.state)
            head = APIResponse(status: status, headers: headers)
        }
        let bytes = chunk.map { chunk in
            chunk.withMemoryRebound(to: UInt8.self, capacity: length) { Array(UnsafeBufferPointer(start: $0, count: length)) }
        } ?? []
        current.pendingWrite = PendingWrite(head: head, chunk: bytes)
        return 0
    }

    /// opts.timeout in seconds (the prelude let through positive numbers only, math.huge
    /// included) as a Duration, at most a day (limits.timeout ends the request sooner anyway);
    /// nil for "not given".
    static func fetchTimeout(seconds: Double) -> Duration? {
        guard seconds > 0 else { return nil }   // also NaN
        return .nanoseconds(Int64(min(seconds, 86_400) * 1_000_000_000))
    }

    /// `text` is the message, then optional "\0key\0value" pairs the prelude appended, each
    /// value marked "\u{1}" (JSON text) or "\u{2}" (a string) by prelude/log.lua.
    private func emit(level: Int32, text: String) {
        let parts = text.split(separator: "\0", omittingEmptySubsequences: false)
        var metadata: Logger.Metadata = [:]
        var i = 1
        while i + 1 < parts.count {
            let value = parts[i + 1]
            metadata[String(parts[i])] = value.first == "\u{1}" ? .stringConvertible(JSONLogValue(json: String(value.dropFirst())))
                                                                : .string(String(value.first == "\u{2}" ? value.dropFirst() : value))
            i += 2
        }
        if let current { metadata["request"] = .string(current.request.requestID) }
        let message = Logger.Message(stringLiteral: String(parts.first ?? ""))
        switch level {
        case 3: logger.error(message, metadata: metadata)
        case 2: logger.warning(message, metadata: metadata)
        default: logger.info(message, metadata: metadata)
        }
    }
}

extension String {
    /// UTF-8 text from C bytes (invalid sequences repaired).
    init(bytes: UnsafePointer<CChar>?, count: Int) {
        guard let bytes, count > 0 else { self = ""; return }
        self = bytes.withMemoryRebound(to: UInt8.self, capacity: count) {
            String(decoding: UnsafeBufferPointer(start: $0, count: count), as: UTF8.self)
        }
    }
}
