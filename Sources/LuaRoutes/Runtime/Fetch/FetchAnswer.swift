import CLuaGlue
import Logging

/// Hands a fetch answer to the C continuation for exactly one resume: the bytes stay valid
/// while Lua copies them, and the pointer is cleared afterwards.
enum FetchAnswer {
    static func scoped<T>(_ answer: FetchOutcome?, in context: UnsafeMutablePointer<lr_ctx>, _ body: () -> T) -> T {
        guard let answer else { return body() }
        var result = lr_fetch_result()
        switch answer {
        case .failure(let message):
            return Array(message.utf8).withUnsafeBufferPointer { text in
                text.withMemoryRebound(to: CChar.self) { text in
                    result.ok = 0
                    result.error = text.baseAddress
                    result.error_len = text.count
                    return with(&result, in: context, body)
                }
            }
        case .response(let status, let headers, let responseBody):
            var flat: [UInt8] = []
            for (i, (name, value)) in headers.enumerated() {
                if i > 0 { flat.append(0) }
                flat += name.utf8
                flat.append(0)
                flat += value.utf8
            }
            return flat.withUnsafeBufferPointer { headerBytes in
                responseBody.withUnsafeBufferPointer { bodyBytes in
                    headerBytes.withMemoryRebound(to: CChar.self) { headerChars in
                        bodyBytes.withMemoryRebound(to: CChar.self) { bodyChars in
                            result.ok = 1
                            result.status = Int32(status)
                            result.headers = headerChars.baseAddress
                            result.headers_len = headerChars.count
                            result.body = bodyChars.baseAddress
                            result.body_len = bodyChars.count
                            return with(&result, in: context, body)
                        }
                    }
                }
            }
        }
    }

    private static func with<T>(_ result: inout lr_fetch_result, in context: UnsafeMutablePointer<lr_ctx>, _ body: () -> T) -> T {
        withUnsafePointer(to: &result) { pointer in
            context.pointee.fetch_result = pointer
            defer { context.pointee.fetch_result = nil }
            return body()
        }
    }
}
