-- The external service's answers while `luaroutes test` runs, so the tests need no upstream
-- (docs/testing.md, "Fetch mocks"). Keys are "METHOD URL"; `env` is the test environment
-- (.env, then .env.test, then the process environment). A fetch no key matches fails the test.
return {
  ["GET " .. env.UPSTREAM_URL .. "/secret-url"] = {
    status = 200,
    json = { secret = "the answer is 42" },
  },
  ["POST " .. env.UPSTREAM_URL .. "/echo"] = {
    status = 201,
    json = { received = { order = 7, items = { "a", "b" } } },
  },
}
