-- bench/intake.lua: wrk script for bench/intake.sh. Sends submissions as a
-- resident's browser does, in two requests each: posts one valid urlencoded
-- form (the body comes from the environment variable BENCH_BODY, built by
-- tests/e2e/intake_lib.py from the form's schema) to the URL wrk is given
-- (/submit/complaint), and when the answer is the check page (200 with a
-- draft), sends that draft as the page's Send button does. Counts the
-- statuses of the responses in every thread and prints the totals when
-- wrk is done (a 200 check page is not counted: its Send is):
--
--   statuses: 303=N other=N (first other: STATUS)
--   socket errors: connect=N read=N write=N timeout=N
--
-- and, when the environment variable BENCH_REFS names a file, writes there
-- the reference of every 303 (from its Location, ...?ref=K7QXM-3PD9R), one
-- a line, so the caller can check each one is in the spool's ready/.
--
-- The next request comes from request(): a Send for each draft waiting in
-- this thread (answers arrive on any of its connections), else a new form.

local body = os.getenv("BENCH_BODY")
if body == nil or body == "" then
	io.stderr:write("bench/intake.lua: BENCH_BODY is not set\n")
	os.exit(2)
end

local headers = { ["Content-Type"] = "application/x-www-form-urlencoded" }
local drafts = {}
nchecks = 0

function request()
	local d = table.remove(drafts)
	if d then
		return wrk.format("POST", nil, headers, "_send=yes&_draft=" .. d)
	end
	return wrk.format("POST", nil, headers, body)
end

-- Per thread (each wrk thread runs its own copy of this script).
n303 = 0
nother = 0
firstother = 0
refs = {}

local threads = {}

function setup(thread)
	table.insert(threads, thread)
end

function response(status, hdrs, page)
	if status == 200 then
		local d = string.match(page or "", 'name="_draft" value="([^"]+)"')
		if d then
			nchecks = nchecks + 1
			table.insert(drafts, d)
			return
		end
	end
	if status == 303 then
		n303 = n303 + 1
		local loc = hdrs["Location"] or hdrs["location"] or ""
		refs[n303] = string.match(loc, "ref=([%w-]+)") or "?"
	else
		nother = nother + 1
		if firstother == 0 then
			firstother = status
		end
	end
end

function done(summary, latency, requests)
	local a, b, first, c = 0, 0, 0, 0
	local path = os.getenv("BENCH_REFS")
	local f = nil
	if path ~= nil and path ~= "" then
		f = assert(io.open(path, "w"))
	end
	for _, t in ipairs(threads) do
		a = a + t:get("n303")
		c = c + t:get("nchecks")
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
	io.write(string.format("check pages: %d\n", c))
	local e = summary.errors
	io.write(string.format("socket errors: connect=%d read=%d write=%d timeout=%d\n",
		e.connect, e.read, e.write, e.timeout))
end
