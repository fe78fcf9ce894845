import LuaRoutes

/// `luaroutes test --verbose`: every request and its answer, in curl -v's `>` / `<` shape,
/// bodies cut at ``HurlRunner/bodyPreviewLimit`` bytes.
struct HurlTranscript: Sendable {
    let write: @Sendable (String) -> Void

    func exchange(file: String, line: Int, request: APIRequest, response: APIResponse, milliseconds: Int64) {
        var out = "* \(file):\(line)\n> \(request.method) \(request.target)\n"
        for (name, value) in request.headers { out += "> \(name): \(value)\n" }
        out += body(request.body, prefix: ">")
        out += "< \(response.status) (\(milliseconds) ms)\n"
        for (name, value) in response.headers { out += "< \(name): \(value)\n" }
        out += body(response.body, prefix: "<") + "\n"
        write(out)
    }

    private func body(_ bytes: [UInt8], prefix: String) -> String {
        if bytes.isEmpty { return "" }
        let limit = HurlRunner.bodyPreviewLimit
        var text = String(decoding: bytes.prefix(limit), as: UTF8.self)
        if bytes.count > limit { text += " ... \(bytes.count - limit) more bytes" }
        return text.split(separator: "\n", omittingEmptySubsequences: false).map { "\(prefix) \($0)\n" }.joined()
    }
}
