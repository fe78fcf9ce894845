-- The stock side of the differential check: lua5.4 stock.lua RUNNER PROGRAM CHUNKNAME REPORT
-- (the report goes to a file: the test files print to stdout, and may change any global).
local runner_path, program_path, chunkname, report_path = arg[1], arg[2], arg[3], arg[4]
local io_open = io.open
local runner = dofile(runner_path)
local file = assert(io_open(program_path, "rb"))
local source = file:read("a")
file:close()
local report = runner.run(source, chunkname, _G)
file = assert(io_open(report_path, "wb"))
file:write(report)
file:close()
