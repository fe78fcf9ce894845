import Foundation

/// Writes `files` (paths relative to the folder, text contents) into a new temporary folder and
/// returns its path: a luaroutes project a test made itself. The caller removes it.
public func makeProjectFolder(_ files: [String: String], prefix: String = "luaroutes-test-") throws -> String {
    let root = NSTemporaryDirectory() + prefix + UUID().uuidString
    try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
    for (path, text) in files {
        let url = URL(fileURLWithPath: root + "/" + path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: true, encoding: .utf8)
    }
    return root
}
