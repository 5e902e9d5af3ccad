-- wrk request script for ./scripts/dev bench: DELETE with the headers the client sends.
-- STYTCH_BENCH_AUTH holds the full Authorization header value (Basic ...).
wrk.method = "DELETE"
wrk.headers["Authorization"] = os.getenv("STYTCH_BENCH_AUTH")
wrk.headers["Content-Type"] = "application/json"
wrk.headers["User-Agent"] = "Stytch C++ v0.1.0"
wrk.headers["Content-Length"] = "0"
