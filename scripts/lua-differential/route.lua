-- The sandbox side of the differential check: POST the program as text/plain to
-- /api/run?name=CHUNKNAME. Limits are raised so that the test files' heavier loops fit.
local runner = require("runner")
return {
  config = {
    limits = { cpu = "300s", timeout = "300s", memory = "2gb" },
    bodyParser = { sizeLimit = "8mb" },
  },
  handler = function(req, res)
    res.send(runner.run(req.rawBody, req.query.name, _ENV, true))
  end,
}
