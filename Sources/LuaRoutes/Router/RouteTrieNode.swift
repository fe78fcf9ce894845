/// One level of the trie. Catch-alls are leaves: they take every remaining segment.
struct RouteTrieNode: Sendable {
    struct Branch: Sendable { var name: String; var node: Int }
    struct Leaf: Sendable { var name: String; var route: Int }

    /// Literal segment text -> child node. Keys compare as Swift strings (Unicode canonical
    /// equivalence), so a file name saved decomposed (macOS) matches a composed URL.
    var literals: [String: Int] = [:]
    var param: Branch?
    var catchAll: Leaf?
    var optionalCatchAll: Leaf?
    /// The route that ends exactly here (`users.lua` or `users/index.lua`).
    var route: Int?
}
