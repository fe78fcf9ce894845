import Foundation
import Testing

/// The crypto module (docs/reference.md section 6, Sources/CLuaGlue/lr_crypto.c), through the real path: each
/// row's Lua expression runs in a route handler of one project, served by the dispatcher.
@Suite struct CryptoTests {
    /// A route that evaluates `expression` and sends its results joined by ", " (tostring of each),
    /// or "error: " and the message without its position. `unhex("0b0b")` builds bytes.
    static func route(_ expression: String) -> String {
        """
        local function unhex(h) return (h:gsub("%x%x", function(x) return string.char(tonumber(x, 16)) end)) end
        local function show(r)
          local parts = {}
          for i = 1, r.n do parts[i] = tostring(r[i]) end
          return table.concat(parts, ", ")
        end
        return function(req, res)
          local ok, r = pcall(function()
            local r = table.pack(\(expression))
            return r
          end)
          if not ok then return res.send("error: " .. (tostring(r):gsub("^[^:]+:%d+: ", ""))) end
          res.send(show(r))
        end
        """
    }

    /// Runs every expression in its own route of one project; returns what each route sent.
    static func eval(_ expressions: [String]) async throws -> [String] {
        var files: [String: String] = [:]
        for (i, expression) in expressions.enumerated() { files["pages/api/e\(i).lua"] = route(expression) }
        return try await withProject(files) { app in
            var out: [String] = []
            for i in expressions.indices {
                let r = await app.request("GET", "/api/e\(i)")
                out.append(r.status == 200 ? r.text : "status \(r.status): \(r.text)")
            }
            return out
        }
    }

    /// Each row is (Lua expression, what the route sends).
    static func check(_ rows: [(String, String)], sourceLocation: SourceLocation = #_sourceLocation) async throws {
        let got = try await eval(rows.map(\.0))
        for (row, text) in zip(rows, got) {
            #expect(text == row.1, "\(row.0)", sourceLocation: sourceLocation)
        }
    }

    /// The example of the brief, as a handler writes it.
    @Test func sha256InAHandler() async throws {
        try await withProject(["pages/api/t.lua": "return function(req, res) res.send(crypto.hex(crypto.sha256('abc'))) end"]) { app in
            let r = await app.request("GET", "/api/t")
            #expect(r.text == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        }
    }

    /// FIPS 180-2 appendix B vectors; the raw digest is 32 bytes.
    @Test func sha256Vectors() async throws {
        try await Self.check([
            ("crypto.hex(crypto.sha256('abc'))", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
            ("crypto.hex(crypto.sha256(''))", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
            ("crypto.hex(crypto.sha256('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq'))",
             "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
            ("crypto.hex(crypto.sha256(string.rep('a', 1000000)))", "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"),
            ("#crypto.sha256('abc')", "32"),
            ("crypto.sha256(123) == crypto.sha256('123')", "true"),   // numbers convert, as in string functions
        ])
    }

    /// RFC 4231 section 4, test cases 1-7 (case 5 is truncated to 128 bits).
    @Test func hmacSHA256RFC4231() async throws {
        let longKey = "string.rep('\\xaa', 131)"
        try await Self.check([
            ("crypto.hex(crypto.hmac_sha256(string.rep('\\x0b', 20), 'Hi There'))",
             "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"),
            ("crypto.hex(crypto.hmac_sha256('Jefe', 'what do ya want for nothing?'))",
             "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"),
            ("crypto.hex(crypto.hmac_sha256(string.rep('\\xaa', 20), string.rep('\\xdd', 50)))",
             "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"),
            ("crypto.hex(crypto.hmac_sha256(unhex('0102030405060708090a0b0c0d0e0f10111213141516171819'), string.rep('\\xcd', 50)))",
             "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"),
            ("crypto.hex(crypto.hmac_sha256(string.rep('\\x0c', 20), 'Test With Truncation')):sub(1, 32)",
             "a3b6167473100ee06e0c796c2955552b"),
            ("crypto.hex(crypto.hmac_sha256(\(longKey), 'Test Using Larger Than Block-Size Key - Hash Key First'))",
             "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"),
            ("crypto.hex(crypto.hmac_sha256(\(longKey), 'This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm.'))",
             "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"),
            ("crypto.hex(crypto.hmac_sha256('', ''))", "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad"),
            ("#crypto.hmac_sha256('k', 'v')", "32"),
            // GitHub's documented X-Hub-Signature-256 example ("Validating webhook deliveries")
            ("crypto.hex(crypto.hmac_sha256(\"It's a Secret to Everybody\", 'Hello, World!'))",
             "757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"),
        ])
    }

    @Test func hexIsLowerCase() async throws {
        try await Self.check([
            ("crypto.hex('')", ""),
            ("crypto.hex('\\0\\1\\127\\128\\255AZ')", "00017f80ff415a"),
        ])
    }

    /// RFC 4648 section 10, both ways; base64url drops the padding and takes it back or not.
    @Test func base64RFC4648Vectors() async throws {
        let vectors = [("", "", ""), ("f", "Zg==", "Zg"), ("fo", "Zm8=", "Zm8"), ("foo", "Zm9v", "Zm9v"),
                       ("foob", "Zm9vYg==", "Zm9vYg"), ("fooba", "Zm9vYmE=", "Zm9vYmE"), ("foobar", "Zm9vYmFy", "Zm9vYmFy")]
        var rows: [(String, String)] = []
        for (plain, std, url) in vectors {
            rows += [("crypto.base64('\(plain)')", std), ("crypto.base64_decode('\(std)')", plain),
                     ("crypto.base64url('\(plain)')", url), ("crypto.base64url_decode('\(url)')", plain),
                     ("crypto.base64url_decode('\(std)')", plain)]
        }
        try await Self.check(rows + [
            ("crypto.base64('\\251\\255\\191')", "+/+/"),
            ("crypto.base64url('\\251\\255\\191')", "-_-_"),
            ("crypto.base64url_decode('-_-_') == '\\251\\255\\191'", "true"),
            ("crypto.base64_decode('+/+/') == '\\251\\255\\191'", "true"),
            // longer than one EVP_EncodeBlock chunk (12288 bytes in)
            ("crypto.base64(string.rep('foo', 5000)) == string.rep('Zm9v', 5000)", "true"),
            ("crypto.base64url(string.rep('foo', 5000) .. 'f') == string.rep('Zm9v', 5000) .. 'Zg'", "true"),
            ("(function() local s = '' for i = 0, 255 do s = s .. string.char(i) end "
                + "return crypto.base64_decode(crypto.base64(s)) == s and crypto.base64url_decode(crypto.base64url(s)) == s end)()", "true"),
        ])
    }

    /// Invalid input returns nil and a message (it is typically untrusted), never raises.
    @Test func base64InvalidInput() async throws {
        try await Self.check([
            ("crypto.base64_decode('Zm9v!mFy')", "nil, crypto.base64_decode: invalid character at position 5"),
            ("crypto.base64_decode('Zm9v YmFy')", "nil, crypto.base64_decode: invalid character at position 5"),
            ("crypto.base64_decode('Zm9vYmFy\\n')", "nil, crypto.base64_decode: invalid character at position 9"),
            ("crypto.base64_decode('Zm9v-_==')", "nil, crypto.base64_decode: invalid character at position 5"),
            ("crypto.base64url_decode('Zm9v+/')", "nil, crypto.base64url_decode: invalid character at position 5"),
            ("crypto.base64_decode('Zg=a')", "nil, crypto.base64_decode: invalid character at position 3"),
            ("crypto.base64_decode('====')", "nil, crypto.base64_decode: invalid character at position 1"),
            ("crypto.base64_decode('Zg===')", "nil, crypto.base64_decode: invalid character at position 3"),
            ("crypto.base64_decode('Zh==')", "nil, crypto.base64_decode: invalid character at position 2"),   // unused bits set
            ("crypto.base64url_decode('Zm9=')", "nil, crypto.base64url_decode: invalid character at position 3"),
            ("crypto.base64_decode('Zm9vYg')", "nil, crypto.base64_decode: invalid length 6"),   // padding required
            ("crypto.base64_decode('Zm9vYg=')", "nil, crypto.base64_decode: invalid length 7"),
            ("crypto.base64url_decode('Zg=')", "nil, crypto.base64url_decode: invalid length 3"),   // padding whole or none
            ("crypto.base64url_decode('Zm9vY')", "nil, crypto.base64url_decode: invalid length 5"),
        ])
    }

    /// RFC 9562 version 4: lower-case 8-4-4-4-12 hex, version 4, variant 10xx; 1000 all differ.
    @Test func uuidVersion4() async throws {
        let pattern = "^%x%x%x%x%x%x%x%x%-%x%x%x%x%-4%x%x%x%-[89ab]%x%x%x%-%x%x%x%x%x%x%x%x%x%x%x%x$"
        let got = try await Self.eval([
            "crypto.uuid()",
            "(function() local seen, n = {}, 0 for i = 1, 1000 do local u = crypto.uuid() "
                + "assert(u:match('\(pattern)') and u == u:lower(), u) "
                + "if not seen[u] then seen[u], n = true, n + 1 end end return n end)()",
        ])
        let text = got[0]
        #expect(text.count == 36 && text == text.lowercased(), "\(text)")
        let uuid = try #require(UUID(uuidString: text), "\(text)")
        #expect(uuid.uuid.6 >> 4 == 4)            // version
        #expect(uuid.uuid.8 >> 6 == 0b10)         // variant
        #expect(got[1] == "1000")
    }

    @Test func randomBytes() async throws {
        try await Self.check([
            ("#crypto.random(16)", "16"),
            ("#crypto.random(0)", "0"),
            ("#crypto.random(1048576)", "1048576"),
            ("crypto.random(32) ~= crypto.random(32)", "true"),
            ("(function() local s = crypto.random(4096) local seen = {} for i = 1, #s do seen[s:byte(i)] = true end "
                + "local n = 0 for _ in pairs(seen) do n = n + 1 end return n > 200 end)()", "true"),
            ("crypto.random(-1)", "error: bad argument #1 to 'random' (0-1048576 expected, got -1)"),
            ("crypto.random(1048577)", "error: bad argument #1 to 'random' (0-1048576 expected, got 1048577)"),
            ("crypto.random(1.5)", "error: bad argument #1 to 'random' (number has no integer representation)"),
            ("crypto.random()", "error: bad argument #1 to 'random' (number expected, got no value)"),
        ])
    }

    @Test func equalComparesWholeStrings() async throws {
        try await Self.check([
            ("crypto.equal('abc', 'abc')", "true"),
            ("crypto.equal('', '')", "true"),
            ("crypto.equal('abc', 'abd')", "false"),
            ("crypto.equal('abc', 'Abc')", "false"),
            ("crypto.equal('abc', 'abcd')", "false"),
            ("crypto.equal('abc', '')", "false"),
            ("crypto.equal('a\\0b', 'a\\0c')", "false"),   // bytes after a NUL count
            ("crypto.equal(crypto.hmac_sha256('k', 'm'), crypto.hmac_sha256('k', 'm'))", "true"),
        ])
    }

    /// Arguments are checked as Lua's own functions check them; the module is read-only.
    @Test func argumentErrors() async throws {
        try await Self.check([
            ("crypto.sha256(nil)", "error: bad argument #1 to 'sha256' (string expected, got nil)"),
            ("crypto.sha256()", "error: bad argument #1 to 'sha256' (string expected, got no value)"),
            ("crypto.hmac_sha256('key')", "error: bad argument #2 to 'hmac_sha256' (string expected, got no value)"),
            ("crypto.hmac_sha256({}, 'x')", "error: bad argument #1 to 'hmac_sha256' (string expected, got table)"),
            ("crypto.hex(true)", "error: bad argument #1 to 'hex' (string expected, got boolean)"),
            ("crypto.base64(nil)", "error: bad argument #1 to 'base64' (string expected, got nil)"),
            ("crypto.base64_decode({})", "error: bad argument #1 to 'base64_decode' (string expected, got table)"),
            ("crypto.base64url_decode()", "error: bad argument #1 to 'base64url_decode' (string expected, got no value)"),
            ("crypto.equal('a')", "error: bad argument #2 to 'equal' (string expected, got no value)"),
            ("(function() crypto.sha256 = nil end)()", "error: attempt to modify a read-only table (key 'sha256')"),
        ])
    }
}
