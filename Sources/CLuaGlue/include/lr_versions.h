/* The versions of the C libraries the binary runs with, for `luaroutes --version`. */
#ifndef LR_VERSIONS_H
#define LR_VERSIONS_H

/* "Lua 5.4.4": LUA_RELEASE of the lua.h it was built with (the Debian package it links). */
const char *lr_lua_release(void);
/* "3.40.1": the SQLite library loaded now (sqlite3_libversion). */
const char *lr_sqlite_version(void);

#endif
