import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The process's open-file limit (RLIMIT_NOFILE), which bounds how many connections `serve`
/// can hold: each is a descriptor, beside the listener, event loops, fetch sockets, route
/// files and inotify.
public enum DescriptorLimit {
    /// Raises the soft limit to the hard one (common defaults are 1024 soft, far more hard),
    /// as servers do at start-up. Returns the soft limit in force afterwards.
    @discardableResult
    public static func raiseToHardLimit() -> Int {
        var limit = rlimit()
        guard getrlimit(resource, &limit) == 0 else { return 1024 }
        if limit.rlim_cur < limit.rlim_max {
            var raised = limit
            // RLIM_INFINITY is refused for files: the kernel's ceiling is fs.nr_open.
            raised.rlim_cur = limit.rlim_max == rlim_t.max ? min(limit.rlim_max, rlim_t(nrOpen())) : limit.rlim_max
            if setrlimit(resource, &raised) == 0 { limit = raised }
        }
        return clamp(limit.rlim_cur)
    }

    /// The soft limit now.
    public static var current: Int {
        var limit = rlimit()
        guard getrlimit(resource, &limit) == 0 else { return 1024 }
        return clamp(limit.rlim_cur)
    }

    /// The connection budget when `server.maxConnections` is not set: the descriptor limit
    /// less a reserve for everything that is not a client connection (128, plus a tenth for
    /// fetch's outbound connections), never more than half of it. 1024 gives 794; 256 gives 128.
    public static func defaultMaxConnections(limit: Int = current) -> Int {
        max(1, limit - min(limit / 2, 128 + limit / 10))
    }

    private static let resource = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)

    private static func clamp(_ value: rlim_t) -> Int { value >= rlim_t(Int.max) ? Int.max : Int(value) }

    private static func nrOpen() -> Int {
        let text = (try? String(contentsOfFile: "/proc/sys/fs/nr_open", encoding: .utf8)) ?? ""
        return Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 1 << 20
    }
}
