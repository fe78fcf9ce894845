/* The hand-written C between Swift and Lua. Every symbol starts with lr_.
 * Rule: Swift never raises a Lua error and never yields; functions here that may raise say so. */
#ifndef LR_CLUAGLUE_H
#define LR_CLUAGLUE_H
#include <lua5.4/lua.h>
#include <lua5.4/lauxlib.h>
#include <lua5.4/lualib.h>
#include "lr_macros.h"
#include "lr_state.h"
#include "lr_json.h"
#include "lr_crypto.h"
#include "lr_sandbox.h"
#include "lr_fetch.h"
#include "lr_stream.h"
#include "lr_guards.h"
#include "lr_clock.h"
#include "lr_coroutine.h"
#include "lr_shared.h"
#include "lr_db.h"
#include "lr_versions.h"
#endif
