-- POST /api/echo with a JSON body -> the same document back (the "echo" workload).
-- req.body is already decoded (Content-Type: application/json); invalid JSON never reaches
-- the handler (the host answers 400). Other methods answer 405 with an Allow header.
return {
  POST = function(req, res)
    res.status(200).json(req.body)
  end,
}
