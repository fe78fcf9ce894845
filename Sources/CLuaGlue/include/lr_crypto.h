/* The crypto module (docs/reference.md section 6) on OpenSSL's libcrypto: sha256, hmac_sha256, hex,
 * base64 / base64url and their _decode, random, uuid, equal. Choices are documented at the top
 * of lr_crypto.c. */
#ifndef LR_CRYPTO_H
#define LR_CRYPTO_H
#include <lua5.4/lua.h>

/* Pushes the module table (a lua_CFunction, returns 1).
 * RAISES on memory errors: call it under lua_pcall, or with the allocator cap lifted. */
int lr_crypto_open(lua_State *L);
#endif
