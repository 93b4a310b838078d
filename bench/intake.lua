-- bench/intake.lua: wrk script for bench/intake.sh. Posts one valid
-- urlencoded submission (the body comes from the environment variable
-- BENCH_BODY, built by tests/e2e/intake_lib.py from the form's schema) to
-- the URL wrk is given (/submit/complaint), counts the statuses of the
-- responses in every thread and prints the totals when wrk is done:
--
--   statuses: 303=N other=N (first other: STATUS)
--   socket errors: connect=N read=N write=N timeout=N
--
-- and, when the environment variable BENCH_REFS names a file, writes there
-- the reference of every 303 (from its Location, ...?ref=K7QXM-3PD9R), one
-- a line, so the caller can check each one is in the spool's ready/.
--
-- The body and headers are set once here, so wrk builds the request once
-- (a static request) and only the response hook runs Lua per request.

local body = os.getenv("BENCH_BODY")
if body == nil or body == "" then
	io.stderr:write("bench/intake.lua: BENCH_BODY is not set\n")
	os.exit(2)
end

wrk.method = "POST"
wrk.body = body
wrk.headers["Content-Type"] = "application/x-www-form-urlencoded"

-- Per thread (each wrk thread runs its own copy of this script).
n303 = 0
nother = 0
firstother = 0
refs = {}

local threads = {}

function setup(thread)
	table.insert(threads, thread)
end

function response(status, headers, body)
	if status == 303 then
		n303 = n303 + 1
		local loc = headers["Location"] or headers["location"] or ""
		refs[n303] = string.match(loc, "ref=([%w-]+)") or "?"
	else
		nother = nother + 1
		if firstother == 0 then
			firstother = status
		end
	end
end

function done(summary, latency, requests)
	local a, b, first = 0, 0, 0
	local path = os.getenv("BENCH_REFS")
	local f = nil
	if path ~= nil and path ~= "" then
		f = assert(io.open(path, "w"))
	end
	for _, t in ipairs(threads) do
		a = a + t:get("n303")
		b = b + t:get("nother")
		if first == 0 then
			first = t:get("firstother")
		end
		if f then
			for _, r in ipairs(t:get("refs")) do
				f:write(r, "\n")
			end
		end
	end
	if f then
		f:close()
	end
	io.write(string.format("statuses: 303=%d other=%d", a, b))
	if b > 0 then
		io.write(string.format(" (first other: %d)", first))
	end
	io.write("\n")
	local e = summary.errors
	io.write(string.format("socket errors: connect=%d read=%d write=%d timeout=%d\n",
		e.connect, e.read, e.write, e.timeout))
end
