-- POST /api/webhooks/github: receives GitHub webhook deliveries.
--
-- GitHub signs each delivery with the secret both sides share:
--   X-Hub-Signature-256: sha256=<hex of HMAC-SHA256(secret, body)>
-- The signature covers the body bytes as sent, so it is checked over req.rawBody (a re-encoded
-- req.body would differ), compared with crypto.equal (constant time, so an attacker cannot
-- guess it byte by byte from response times), and only then is the payload trusted.

local function signature_ok(req, secret)
  local given = req.headers["x-hub-signature-256"]
  if given == nil then return false end
  local expected = "sha256=" .. crypto.hex(crypto.hmac_sha256(secret, req.rawBody or ""))
  return crypto.equal(given, expected)
end

return {
  POST = function(req, res)
    local secret = env.WEBHOOK_SECRET
    if secret == nil or secret == "" then
      log.error("WEBHOOK_SECRET is not set: every delivery is refused")
      return res.status(500).json({ error = "webhook secret not configured" })
    end
    if not signature_ok(req, secret) then
      return res.status(401).json({ error = "bad signature" })
    end
    local payload = type(req.body) == "table" and req.body or {}
    res.json({ received = req.headers["x-github-event"], action = payload.action })
  end,

  -- GitHub caps deliveries at 25 MB, but the events this receiver wants are small.
  config = { bodyParser = { sizeLimit = "256kb" } },
}
