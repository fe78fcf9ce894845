/* Debian's liblua5.4-dev, exactly as shipped. lua.h finds luaconf.h beside itself. */
#include <lua5.4/lua.h>
#include <lua5.4/lauxlib.h>
#include <lua5.4/lualib.h>
