-- The chat's messages live in one shared dictionary (docs/data.md): every route, every event loop.
return { shared = { chat = "1mb" } }
