#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Logging
import NIOCore
import NIOPosix

/// The inotify descriptor's watches: watch descriptor -> folder path. Used from the watcher's
/// event loop only, after `start` set up the first ones.
final class InotifyWatches: @unchecked Sendable {
    let fd: Int32
    let logger: Logger
    private(set) var paths: [Int32: String] = [:]
    private var root = ""

    static let mask = UInt32(IN_CREATE | IN_MODIFY | IN_CLOSE_WRITE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO
                             | IN_DELETE_SELF | IN_ONLYDIR)

    init(fd: Int32, logger: Logger) {
        self.fd = fd
        self.logger = logger
    }

    /// Watches `folder` and every folder under it, except hidden ones (.git, .build).
    func addTree(_ folder: String) {
        if root.isEmpty { root = folder }
        let wd = inotify_add_watch(fd, folder, Self.mask)
        guard wd >= 0 else {
            logger.warning("cannot watch \(folder) for changes (errno \(errno))")
            return
        }
        paths[wd] = folder
        let children = (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
        for name in children where !name.hasPrefix(".") && name != "node_modules" {
            var isFolder: ObjCBool = false
            let path = folder + "/" + name
            if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), isFolder.boolValue { addTree(path) }
        }
    }

    /// After IN_Q_OVERFLOW events were lost, new folders among them too: watch everything again
    /// (the kernel returns the same descriptor for a folder already watched).
    func rescan() { addTree(root) }

    func removed(_ wd: Int32) { paths[wd] = nil }
}
