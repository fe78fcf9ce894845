import LuaRoutes

/// The `[Options]` keys of the subset: `skip` and `variable` only.
struct HurlOptions: Sendable {
    var skip: HurlPredicateValue?
    var variables: [HurlOptionVariable] = []
}
