import NIOCore

/// Where a connection stands between requests, and which timeout applies there (nginx's
/// `keepalive_timeout`, `client_header_timeout`, `client_body_timeout`, `send_timeout`,
/// lingering close). Plain values: the connection handler reports what happened and asks what
/// has expired, so the rules stay the same whatever parses the bytes.
///
/// One timer per connection, not per request: it fires at least every `granularity` (the
/// shortest timeout) and re-arms itself, so moving between phases only stores a time.
struct ConnectionTimeouts {
    enum Phase {
        /// No request in progress: fresh, or kept alive between requests (`idle`).
        case waiting
        /// Bytes of a request head arrived, the head is not complete (`header`).
        case readingHead
        /// The head is complete and the body is arriving; `since` is the last read (`idle`).
        case readingBody
        /// A request is being answered; the route's `limits.timeout` bounds it.
        case busy
        /// The final answer is written and the write side shut: input is read and dropped
        /// until the client closes, stays silent for `lingerSilence`, or `lingerTotal` passes.
        case lingering
    }

    enum Expiry: Equatable {
        case header, body, idle, send, lingerOver
    }

    /// nginx's `lingering_timeout` and `lingering_time`.
    static let lingerSilence = TimeAmount.seconds(5)
    static let lingerTotal = TimeAmount.seconds(30)

    let header: TimeAmount
    let idle: TimeAmount
    let send: TimeAmount
    private(set) var phase = Phase.waiting
    /// When the phase began; while reading a body or lingering, the last read.
    private(set) var since: NIODeadline
    private var lingerStarted = NIODeadline.uptimeNanoseconds(0)
    /// Set while output is waiting on a client that does not read, with the amount buffered
    /// at the last check (progress restarts the clock, as nginx's `send_timeout` does).
    private var sendStalledSince: NIODeadline?
    private var bufferedAtLastCheck = Int.max

    init(_ settings: ServerSettings, now: NIODeadline) {
        header = TimeAmount(settings.headerTimeout)
        idle = TimeAmount(settings.idleTimeout)
        send = TimeAmount(settings.sendTimeout)
        since = now
    }

    /// The longest the timer sleeps between checks.
    var granularity: TimeAmount { min(header, idle, send) }

    mutating func enter(_ next: Phase, now: NIODeadline) {
        phase = next
        since = now
        if next == .lingering { lingerStarted = now }
    }

    /// A phase change whose time is filled in by the next ``readCompleted(now:producedParts:)``
    /// (no clock read on the usual path, where the whole request arrives in one read).
    mutating func enterWithoutTime(_ next: Phase) { phase = next }

    /// After each socket read. Returns true when a request head began (bytes arrived on a
    /// waiting connection without completing anything).
    mutating func readCompleted(now: @autoclosure () -> NIODeadline, producedParts: Bool) -> Bool {
        switch phase {
        case .waiting where !producedParts:
            enter(.readingHead, now: now())
            return true
        case .readingBody, .lingering:
            since = now()
        default:
            break
        }
        return false
    }

    mutating func outputStalled(now: NIODeadline) {
        sendStalledSince = now
        bufferedAtLastCheck = Int.max
    }

    mutating func outputDrained() { sendStalledSince = nil }

    /// What has run out at `now`; `buffered` reads how much output is still waiting (only
    /// asked while output is stalled).
    mutating func expired(now: NIODeadline, buffered: () -> Int) -> Expiry? {
        if let stalled = sendStalledSince {
            let waiting = buffered()
            if waiting < bufferedAtLastCheck {
                sendStalledSince = now
                bufferedAtLastCheck = waiting
            } else if now - stalled >= send {
                return .send
            }
            // While output waits, reads are held back and the answer is still going out: only
            // the send timeout (and a lingering close's own limits) apply.
            if phase != .lingering { return nil }
        }
        switch phase {
        case .waiting: return now - since >= idle ? .idle : nil
        case .readingHead: return now - since >= header ? .header : nil
        case .readingBody: return now - since >= idle ? .body : nil
        case .busy: return nil
        case .lingering:
            return now - since >= Self.lingerSilence || now - lingerStarted >= Self.lingerTotal ? .lingerOver : nil
        }
    }

    /// When the timer should next look: the current phase's deadline, or sooner.
    func nextCheck(now: NIODeadline) -> NIODeadline {
        var next = now + granularity
        switch sendStalledSince == nil ? phase : .busy {
        case .waiting, .readingBody: next = min(next, since + idle)
        case .readingHead: next = min(next, since + header)
        case .busy: break
        case .lingering: next = min(next, since + Self.lingerSilence, lingerStarted + Self.lingerTotal)
        }
        if let stalled = sendStalledSince { next = min(next, stalled + send) }
        return max(next, now + .milliseconds(1))
    }
}
