-- Loaded by wrk (-s). Sets the method from BENCH_WRK_METHOD and prints one
-- machine-readable line at the end; bench/lib/wrk.ts parses it.
local method = os.getenv("BENCH_WRK_METHOD")
if method ~= nil and method ~= "" then
  wrk.method = method
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "BENCH_JSON {\"requests\":%d,\"duration_us\":%d,\"bytes\":%d,\"err_connect\":%d,\"err_read\":%d," ..
    "\"err_write\":%d,\"err_status\":%d,\"err_timeout\":%d,\"p50_us\":%d,\"p90_us\":%d,\"p99_us\":%d," ..
    "\"p999_us\":%d,\"mean_us\":%.1f,\"max_us\":%d}\n",
    summary.requests, summary.duration, summary.bytes, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency:percentile(99.9),
    latency.mean, latency.max))
end
