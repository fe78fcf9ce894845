/// Header lists as handlers see them: lower-case names, a repeated header's values joined by
/// ", " in arrival order (docs/reference.md section 4; fetch responses follow the same rule).
enum HeaderFields {
    static func joined<S: Sequence>(_ headers: S) -> [(name: String, value: String)] where S.Element == (name: String, value: String) {
        var joined: [(name: String, value: String)] = []
        joined.reserveCapacity(headers.underestimatedCount)
        // A request has a handful of headers: a linear search beats hashing every name. Past
        // `indexAbove` names, an index keeps a flood of distinct headers linear in time.
        let indexAbove = 32
        var index: [String: Int] = [:]
        for (name, value) in headers {
            let key = lowercasedASCII(name)
            let existing = joined.count > indexAbove ? index[key] : joined.firstIndex { $0.name == key }
            if let existing {
                joined[existing].value += ", " + value
            } else {
                joined.append((key, value))
                if joined.count > indexAbove {
                    if index.isEmpty { for (i, field) in joined.enumerated() { index[field.name] = i } }
                    index[key] = joined.count - 1
                }
            }
        }
        return joined
    }

    /// Field names are ASCII tokens; most arrive already lower-case (HTTP/2 style) or need
    /// only ASCII folding, which `lowercased()`'s Unicode path does not need to do.
    static func lowercasedASCII(_ name: String) -> String {
        guard !name.allUTF8({ $0 < UInt8(ascii: "A") || $0 > UInt8(ascii: "Z") }) else { return name }
        var name = name
        return name.withUTF8 { bytes in
            String(unsafeUninitializedCapacity: bytes.count) { buffer in
                for i in 0..<bytes.count {
                    let byte = bytes[i]
                    buffer[i] = byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte
                }
                return bytes.count
            }
        }
    }
}
