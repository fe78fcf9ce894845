/* lr_versions.h. */
#include <sqlite3.h>
#include <lua5.4/lua.h>
#include "lr_versions.h"

const char *lr_lua_release(void) { return LUA_RELEASE; }

const char *lr_sqlite_version(void) { return sqlite3_libversion(); }
