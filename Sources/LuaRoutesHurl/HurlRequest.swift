import LuaRoutes

struct HurlRequest: Sendable {
    var method: String
    var url: HurlTemplate
    /// The request line; failures while building the request point here.
    var location: SourceLocation
    var urlLocation: SourceLocation
    var headers: [HurlKeyValue] = []
    var query: [HurlKeyValue] = []
    var form: [HurlKeyValue] = []
    var cookies: [HurlKeyValue] = []
    var multipart: [HurlMultipartItem] = []
    var options = HurlOptions()
    var body: HurlBody?
}
