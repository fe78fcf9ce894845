#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Logging
import NIOCore
import NIOPosix

/// Watches ROOT and every folder under it with inotify, and calls `onChange` once a burst of
/// changes has settled. `DispatchSource` has no file-system sources on Linux, so the inotify
/// descriptor is handed to NIO as a pipe and its events arrive on an event loop.
///
/// Folders are watched, not files: editors that save by writing a new file and renaming it
/// over the old one (`IN_MOVED_TO`) are seen too. Folders created later get a watch when they
/// appear; on a queue overflow every folder is watched again and a reload follows anyway.
public final class FileWatcher: Sendable {
    let channel: any Channel

    private init(channel: any Channel) { self.channel = channel }

    public static func start(root: String, on loop: any EventLoop, debounce: TimeAmount = .milliseconds(50),
                             logger: Logger, onChange: @escaping @Sendable () -> Void) async throws -> FileWatcher {
        let fd = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard fd >= 0 else { throw WatchError(description: "inotify_init1 failed: errno \(errno)") }
        let watches = InotifyWatches(fd: fd, logger: logger)
        watches.addTree(root)
        do {
            let channel = try await NIOPipeBootstrap(group: loop)
                // Each read must fit a whole event (up to 16 + NAME_MAX + 1 bytes), so no adaptive shrinking.
                .channelOption(.recvAllocator, value: FixedSizeRecvByteBufferAllocator(capacity: 64 * 1024))
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(
                            InotifyHandler(watches: watches, debounce: debounce, onChange: onChange))
                    }
                }
                .takingOwnershipOfDescriptor(input: fd)
                .get()
            return FileWatcher(channel: channel)
        } catch {
            close(fd)
            throw error
        }
    }

    public func stop() async {
        try? await channel.close()
    }

    struct WatchError: Error, CustomStringConvertible {
        let description: String
    }
}
