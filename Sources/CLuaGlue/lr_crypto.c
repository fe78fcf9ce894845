/* crypto: hashes, MACs and randomness from OpenSSL's libcrypto; hex and base64 around them.
 *
 * Choices where the contract is silent:
 * - sha256 and hmac_sha256 return the raw 32 bytes; crypto.hex or crypto.base64 print them.
 * - base64 is RFC 4648 section 4 with padding; base64url is section 5 without padding.
 *   Decoding is strict, since its input is typically untrusted: no whitespace, '=' only at the
 *   end, unused bits of the last character zero (one text per byte string). base64_decode wants
 *   the padding; base64url_decode takes it or not, but whole if present. Invalid input returns
 *   nil and a message naming the 1-based byte position ("crypto.base64_decode: invalid
 *   character at position 5") or the length ("... invalid length 5"); it does not raise.
 * - random(n) takes 0 <= n <= 1 MiB; uuid() is an RFC 9562 version 4 UUID, lower-case.
 * - equal(a, b) compares equal lengths in constant time (CRYPTO_memcmp); different lengths give
 *   false without reading the contents (the length is not treated as secret).
 * - An argument that is not a string (or number) raises Lua's own "bad argument" error.
 * Every function is linear in its input, which the memory cap bounds (as string.upper is);
 * none is CPU-guarded. Only one-shot OpenSSL calls are used (EVP_Digest and HMAC free their own
 * contexts), each writing into a C stack buffer or an already allocated Lua buffer: no Lua error
 * can happen while one runs, so none can leave an OpenSSL object behind. */
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>
#include <limits.h>
#include <lua5.4/lauxlib.h>
#include "lr_crypto.h"

#define LR_RANDOM_MAX (1024 * 1024)

static const char lr_hexdigits[] = "0123456789abcdef";

static int lr_crypto_sha256(lua_State *L) {
    size_t len;
    const char *s = luaL_checklstring(L, 1, &len);
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    if (!EVP_Digest(s, len, md, &mdlen, EVP_sha256(), NULL)) return luaL_error(L, "crypto.sha256: OpenSSL failed");
    lua_pushlstring(L, (const char *)md, mdlen);
    return 1;
}

static int lr_crypto_hmac_sha256(lua_State *L) {
    size_t klen, len;
    const char *key = luaL_checklstring(L, 1, &klen);
    const char *s = luaL_checklstring(L, 2, &len);
    luaL_argcheck(L, klen <= INT_MAX, 1, "key too long");
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    if (!HMAC(EVP_sha256(), key, (int)klen, (const unsigned char *)s, len, md, &mdlen))
        return luaL_error(L, "crypto.hmac_sha256: OpenSSL failed");
    lua_pushlstring(L, (const char *)md, mdlen);
    return 1;
}

static int lr_crypto_hex(lua_State *L) {
    size_t len;
    const unsigned char *s = (const unsigned char *)luaL_checklstring(L, 1, &len);
    luaL_Buffer b;
    char *p = luaL_buffinitsize(L, &b, 2 * len);
    for (size_t i = 0; i < len; i++) {
        p[2 * i] = lr_hexdigits[s[i] >> 4];
        p[2 * i + 1] = lr_hexdigits[s[i] & 15];
    }
    luaL_pushresultsize(&b, 2 * len);
    return 1;
}

/* Encodes with EVP_EncodeBlock (standard alphabet, padded, NUL-terminated) in chunks, since it
 * takes an int length; for the URL alphabet, translates and drops the padding afterwards. */
static int lr_base64_encode(lua_State *L, int url) {
    size_t len;
    const unsigned char *s = (const unsigned char *)luaL_checklstring(L, 1, &len);
    size_t padded = 4 * (len / 3 + (len % 3 != 0));
    size_t outlen = url ? 4 * (len / 3) + (len % 3 ? len % 3 + 1 : 0) : padded;
    luaL_Buffer b;
    unsigned char *p = (unsigned char *)luaL_buffinitsize(L, &b, padded + 1);
    enum { CHUNK = 3 * 4096 };
    for (size_t in = 0, out = 0; in < len; in += CHUNK) {
        size_t n = len - in < CHUNK ? len - in : CHUNK;
        out += (size_t)EVP_EncodeBlock(p + out, s + in, (int)n);
    }
    if (url) {
        for (size_t i = 0; i < outlen; i++) {
            if (p[i] == '+') p[i] = '-';
            else if (p[i] == '/') p[i] = '_';
        }
    }
    luaL_pushresultsize(&b, outlen);
    return 1;
}

static int lr_base64_value(unsigned char c, int url) {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == (url ? '-' : '+')) return 62;
    if (c == (url ? '_' : '/')) return 63;
    return -1;
}

/* A strict decoder (OpenSSL's EVP_DecodeBlock skips whitespace, keeps padding bytes in its
 * result and cannot say where the input went wrong). Returns 1 or 2 results. */
static int lr_base64_decode(lua_State *L, int url) {
    const char *name = url ? "crypto.base64url_decode" : "crypto.base64_decode";
    size_t len;
    const unsigned char *s = (const unsigned char *)luaL_checklstring(L, 1, &len);
    size_t pad = 0;
    while (pad < 2 && pad < len && s[len - 1 - pad] == '=') pad++;
    size_t n = len - pad, rest = n % 4;     /* n data characters */
    for (size_t i = 0; i < n; i++) {
        if (lr_base64_value(s[i], url) < 0) {
            lua_pushnil(L);
            lua_pushfstring(L, "%s: invalid character at position %I", name, (lua_Integer)(i + 1));
            return 2;
        }
    }
    if (((pad > 0 || !url) && len % 4 != 0) || rest == 1) {
        lua_pushnil(L);
        lua_pushfstring(L, "%s: invalid length %I", name, (lua_Integer)len);
        return 2;
    }
    if (rest > 0 && (lr_base64_value(s[n - 1], url) & (rest == 2 ? 15 : 3)) != 0) {
        lua_pushnil(L);   /* unused bits set: another text already stands for these bytes */
        lua_pushfstring(L, "%s: invalid character at position %I", name, (lua_Integer)n);
        return 2;
    }
    size_t outlen = n / 4 * 3 + (rest ? rest - 1 : 0);
    luaL_Buffer b;
    unsigned char *p = (unsigned char *)luaL_buffinitsize(L, &b, outlen);
    unsigned long acc = 0;
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        acc = (acc << 6) | (unsigned long)lr_base64_value(s[i], url);
        if (i % 4 == 3) {
            p[o++] = (unsigned char)(acc >> 16);
            p[o++] = (unsigned char)(acc >> 8);
            p[o++] = (unsigned char)acc;
            acc = 0;
        }
    }
    if (rest == 2) p[o++] = (unsigned char)(acc >> 4);
    if (rest == 3) {
        p[o++] = (unsigned char)(acc >> 10);
        p[o++] = (unsigned char)(acc >> 2);
    }
    luaL_pushresultsize(&b, outlen);
    return 1;
}

static int lr_crypto_base64(lua_State *L) { return lr_base64_encode(L, 0); }
static int lr_crypto_base64url(lua_State *L) { return lr_base64_encode(L, 1); }
static int lr_crypto_base64_decode(lua_State *L) { return lr_base64_decode(L, 0); }
static int lr_crypto_base64url_decode(lua_State *L) { return lr_base64_decode(L, 1); }

static int lr_crypto_random(lua_State *L) {
    lua_Integer n = luaL_checkinteger(L, 1);
    if (n < 0 || n > LR_RANDOM_MAX)
        return luaL_argerror(L, 1, lua_pushfstring(L, "0-%d expected, got %I", LR_RANDOM_MAX, n));
    luaL_Buffer b;
    unsigned char *p = (unsigned char *)luaL_buffinitsize(L, &b, (size_t)n);
    if (n > 0 && RAND_bytes(p, (int)n) != 1) return luaL_error(L, "crypto.random: no random bytes available");
    luaL_pushresultsize(&b, (size_t)n);
    return 1;
}

static int lr_crypto_uuid(lua_State *L) {
    unsigned char u[16];
    if (RAND_bytes(u, sizeof u) != 1) return luaL_error(L, "crypto.uuid: no random bytes available");
    u[6] = (unsigned char)((u[6] & 0x0f) | 0x40);   /* version 4 */
    u[8] = (unsigned char)((u[8] & 0x3f) | 0x80);   /* variant 10 (RFC 9562) */
    char text[36];
    size_t o = 0;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10) text[o++] = '-';
        text[o++] = lr_hexdigits[u[i] >> 4];
        text[o++] = lr_hexdigits[u[i] & 15];
    }
    lua_pushlstring(L, text, sizeof text);
    return 1;
}

static int lr_crypto_equal(lua_State *L) {
    size_t la, lb;
    const char *a = luaL_checklstring(L, 1, &la);
    const char *b = luaL_checklstring(L, 2, &lb);
    lua_pushboolean(L, la == lb && CRYPTO_memcmp(a, b, la) == 0);
    return 1;
}

int lr_crypto_open(lua_State *L) {
    static const luaL_Reg funcs[] = {
        {"sha256", lr_crypto_sha256}, {"hmac_sha256", lr_crypto_hmac_sha256}, {"hex", lr_crypto_hex},
        {"base64", lr_crypto_base64}, {"base64_decode", lr_crypto_base64_decode},
        {"base64url", lr_crypto_base64url}, {"base64url_decode", lr_crypto_base64url_decode},
        {"random", lr_crypto_random}, {"uuid", lr_crypto_uuid}, {"equal", lr_crypto_equal}, {NULL, NULL}};
    luaL_newlib(L, funcs);   /* stack: crypto */
    return 1;
}
