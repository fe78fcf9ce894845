-- Middleware (docs/reference.md section 9): the functions the route's `_middleware.lua`
-- files returned, outermost first, around the handler, all in the request's own coroutine
-- (so limits, fetch and errors behave as in the handler).
local P = ...
local error = error

-- Runs chain[i], giving it a next() that runs chain[i + 1] ... and the handler, once.
local function run(chain, i, handler, req, res, st)
  local mw = chain[i]
  if mw == nil then return handler(req, res) end
  local called = false
  local function next_step()
    if called then error("next() called twice", 2) end
    called = true
    if st.sent then error("next() called after the response was sent", 2) end
    run(chain, i + 1, handler, req, res, st)
    -- Back in this middleware: a buffered answer is final but not yet written, so its headers
    -- may still change (res.setHeader, res.removeHeader, res.cookie). A streamed one's head is
    -- out: changes raise as after any send.
    if not st.streaming then st.after_next = true end
  end
  mw(req, res, next_step)
end

function P.run_middleware(chain, handler, req, res, st)
  run(chain, 1, handler, req, res, st)
end
