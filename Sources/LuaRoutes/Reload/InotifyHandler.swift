#if canImport(Glibc)
import Glibc
#endif
import NIOCore

/// Decodes `struct inotify_event`s (Int32 wd, UInt32 mask, UInt32 cookie, UInt32 len,
/// name[len], NUL-padded) and debounces them: `onChange` runs once no event came for `debounce`.
final class InotifyHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    private let watches: InotifyWatches
    private let debounce: TimeAmount
    private let onChange: @Sendable () -> Void
    private var pending: Scheduled<Void>?

    init(watches: InotifyWatches, debounce: TimeAmount, onChange: @escaping @Sendable () -> Void) {
        self.watches = watches
        self.debounce = debounce
        self.onChange = onChange
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        var changed = false
        while let wd = buffer.readInteger(endianness: .host, as: Int32.self),
              let mask = buffer.readInteger(endianness: .host, as: UInt32.self),
              let _ = buffer.readInteger(endianness: .host, as: UInt32.self),
              let length = buffer.readInteger(endianness: .host, as: UInt32.self),
              let nameBytes = buffer.readBytes(length: Int(length)) {
            let name = String(decoding: nameBytes.prefix { $0 != 0 }, as: UTF8.self)
            changed = handle(wd: wd, mask: mask, name: name) || changed
        }
        if changed { schedule(on: context.eventLoop) }
    }

    /// Whether the event can change what the project serves.
    private func handle(wd: Int32, mask: UInt32, name: String) -> Bool {
        if mask & UInt32(IN_Q_OVERFLOW) != 0 {
            watches.rescan()
            return true
        }
        if mask & UInt32(IN_IGNORED) != 0 {
            watches.removed(wd)
            return false
        }
        guard let folder = watches.paths[wd] else { return false }
        let isFolder = mask & UInt32(IN_ISDIR) != 0
        if isFolder, mask & UInt32(IN_CREATE | IN_MOVED_TO) != 0, !name.hasPrefix(".") {
            watches.addTree(folder + "/" + name)   // files written into it before the watch: the reload reads them
        }
        return (isFolder && !name.hasPrefix(".")) || Self.matters(name)   // .luaroutes/ (the database) never reloads
    }

    /// Editor droppings (swap files, backups, vim's "4913" probe) do not trigger a reload.
    static func matters(_ name: String) -> Bool {
        if name.hasPrefix(".env") { return true }
        return !name.isEmpty && !name.hasPrefix(".") && !name.hasSuffix("~") && !name.hasSuffix(".swp") && name != "4913"
    }

    private func schedule(on loop: any EventLoop) {
        pending?.cancel()
        let onChange = self.onChange
        pending = loop.scheduleTask(in: debounce) { onChange() }
    }
}
