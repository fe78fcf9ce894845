import CoreMetrics
import NIOConcurrencyHelpers

/// `luaroutes_shared_bytes{dict}` and `luaroutes_shared_evictions_total{dict}`, sampled from the
/// dictionaries at scrape time (the dictionaries count; requests pay nothing).
extension ServerMetrics {
    func recordShared(root: String, declared: [SharedDeclaration]) {
        for (name, bytes, evictions) in SharedDictionaries.usage(root: root, declared: declared) {
            Gauge(label: "luaroutes_shared_bytes", dimensions: [("dict", name)], factory: factory).record(bytes)
            let key = "\(ObjectIdentifier(self).hashValue)\0\(root)\0\(name)"
            let delta = ServerMetrics.reportedEvictions.withLockedValue { reported in
                let delta = evictions &- (reported[key] ?? 0)
                reported[key] = evictions
                return delta
            }
            let counter = Counter(label: "luaroutes_shared_evictions_total", dimensions: [("dict", name)], factory: factory)
            if delta > 0 { counter.increment(by: Int64(truncatingIfNeeded: delta)) } else { counter.increment(by: 0) }
        }
    }

    /// Evictions already added to the counters, per metrics object, ROOT and dictionary.
    private static let reportedEvictions = NIOLockedValueBox<[String: UInt64]>([:])
}
