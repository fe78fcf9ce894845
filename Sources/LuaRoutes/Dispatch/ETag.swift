/// ETag and 304 (docs/reference.md section 10): a buffered 200 answer to GET or HEAD gets
/// a strong ETag computed from its body, unless the handler set one; a request whose
/// If-None-Match matches the answer's ETag gets 304 with no body instead.
enum ETag {
    /// Applies both rules to a finished answer. `generate`: the project's `generateEtags`;
    /// a handler-set ETag is honoured either way.
    static func apply(to response: inout APIResponse, for request: APIRequest, generate: Bool) {
        // A streamed answer's body is not known when its head goes out: no tag.
        guard response.status == 200, response.stream == nil, request.method == "GET" || request.method == "HEAD" else { return }
        var tag = response.header("etag")
        if tag == nil, generate {
            let made = strongTag(of: response.body)
            response.headers.append(("ETag", made))
            tag = made
        }
        guard let tag, let condition = request.header("if-none-match"), matches(condition, tag) else { return }
        response.status = 304
        response.body = []
    }

    /// `"<hash>-<length>"` in hex: a 64-bit hash of the bytes and their count. Not a
    /// cryptographic digest: it only has to change when the body does.
    static func strongTag(of body: [UInt8]) -> String {
        let hash = body.withUnsafeBytes { hash64($0) }
        let count = UInt64(body.count)
        let hashDigits = 16
        let countDigits = max(1, (64 - count.leadingZeroBitCount + 3) / 4)
        let size = 1 + hashDigits + 1 + countDigits + 1
        return String(unsafeUninitializedCapacity: size) { out in
            let hex: StaticString = "0123456789abcdef"
            let digits = hex.utf8Start
            out[0] = UInt8(ascii: "\"")
            for i in 0..<hashDigits { out[1 + i] = digits[Int((hash >> UInt64(60 - 4 * i)) & 0xf)] }
            out[1 + hashDigits] = UInt8(ascii: "-")
            for i in 0..<countDigits {
                out[2 + hashDigits + i] = digits[Int((count >> UInt64(4 * (countDigits - 1 - i))) & 0xf)]
            }
            out[size - 1] = UInt8(ascii: "\"")
            return size
        }
    }

    /// Eight bytes per step (multiply-rotate, as in the wyhash/xxhash family), then a final mix
    /// so every input bit reaches every output bit.
    static func hash64(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        let k: UInt64 = 0x9E37_79B9_7F4A_7C15
        var h: UInt64 = 0xCBF2_9CE4_8422_2325 ^ (UInt64(bytes.count) &* k)
        var i = 0
        let n = bytes.count
        while i + 8 <= n {
            let word = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self))
            h = ((h ^ word) &* k)
            h = (h << 31) | (h >> 33)
            i += 8
        }
        var tail: UInt64 = 0
        var shift: UInt64 = 0
        while i < n {
            tail |= UInt64(bytes[i]) << shift
            shift += 8
            i += 1
        }
        h = (h ^ tail) &* k
        h ^= h >> 29
        h = h &* 0xBF58_476D_1CE4_E5B9
        h ^= h >> 32
        return h
    }

    /// If-None-Match: `*`, or a comma-separated list of entity tags, compared weakly (RFC 9110
    /// section 13.1.2: `W/"x"` matches `"x"`).
    static func matches(_ condition: String, _ tag: String) -> Bool {
        let opaque = withoutWeakPrefix(tag[...])
        for item in condition.split(separator: ",") {
            let candidate = item.trimmingSpaces
            if candidate == "*" || withoutWeakPrefix(candidate) == opaque { return true }
        }
        return false
    }

    private static func withoutWeakPrefix(_ tag: Substring) -> Substring {
        tag.hasPrefix("W/") ? tag.dropFirst(2) : tag
    }
}

private extension Substring {
    var trimmingSpaces: Substring {
        var s = self
        while let first = s.first, first == " " || first == "\t" { s = s.dropFirst() }
        while let last = s.last, last == " " || last == "\t" { s = s.dropLast() }
        return s
    }
}
