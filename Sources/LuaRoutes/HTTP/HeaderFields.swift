/// Header lists as handlers see them: lower-case names, a repeated header's values joined by
/// ", " in arrival order (CONTRACT.md section 4; fetch responses follow the same rule).
enum HeaderFields {
    static func joined<S: Sequence>(_ headers: S) -> [(name: String, value: String)] where S.Element == (name: String, value: String) {
        var order: [String] = []
        var values: [String: String] = [:]
        for (name, value) in headers {
            let key = name.lowercased()
            if let existing = values[key] { values[key] = existing + ", " + value } else { order.append(key); values[key] = value }
        }
        return order.map { ($0, values[$0]!) }
    }
}
