-- wrk script: POST /api/createCluster with a unique cluster id per request.
-- wrk -t2 -c8 -d15s --latency -s bench/wrk/create.lua http://127.0.0.1:8080 -- PREFIX TOKEN examples/cluster.json
-- unique cluster ids per request: <prefix>-<thread>-<n>
local counter = 1
function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
end
function init(args)
  prefix = args[1]
  token = args[2]
  local f = io.open(args[3], "r")
  template = f:read("*a")
  f:close()
  n = 0
end
function request()
  n = n + 1
  local body = template:gsub("cluster%-west%-vision%-001", prefix .. "-" .. tid .. "-" .. n)
  return wrk.format("POST", "/api/createCluster", {["Authorization"] = "Bearer " .. token, ["Content-Type"] = "application/json"}, body)
end
function response(status, headers, body)
  if status ~= 201 then
    bad = (bad or 0) + 1
    if bad < 3 then print("status " .. status .. ": " .. body:sub(1, 200)) end
  end
end
