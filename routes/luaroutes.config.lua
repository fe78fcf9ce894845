-- Project-wide settings (docs/reference.md section 7); a route's `config` overrides them for that route.
-- Everything here is the default but `limits.cpu`, tightened for a demo app.
return {
  pageExtensions = { "lua" },
  bodyParser = { sizeLimit = "1mb" },
  responseLimit = "4mb",
  limits = { memory = "64mb", cpu = "500ms", timeout = "10s" },
}
