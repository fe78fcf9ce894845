-- POST /api/forward: sends the client's JSON on to the service (a table body is sent as
-- JSON) and answers with the service's status and answer.
return {
  POST = function(req, res)
    local upstream, err = fetch(env.UPSTREAM_URL .. "/echo", {
      method = "POST",
      headers = { ["X-Api-Key"] = env.UPSTREAM_API_KEY },
      body = req.body or json.null,
    })
    if not upstream then return res.status(502).json({ error = err }) end
    res.status(upstream.status).json(upstream.json())
  end,
}
