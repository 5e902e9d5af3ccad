#!/usr/bin/env bash
# ./scripts/dev bench: the client side by side with wrk and a naive baseline, in one run.
#
# Starts nginx (one worker, TLS on 127.0.0.1, a fixed ~1.8 KB organization answer from
# bench/organization.json for DELETE /v1/b2b/organizations/<id>/external_id) with a throw-away
# CA and server certificate, then alternates, round after round:
#   wrk          64 connections, DELETE with the client's headers (bench/wrk.lua)
#   stytch-bench 64 pooled connections, 256 calls in flight, 1 io_context thread
#   stytch-c     the same with 64 calls in flight: wrk's concurrency, for a like-for-like p99
#   naive        stytch-bench --naive: a new TLS connection per call, 64 in flight
#   floor        stytch-floor: the same exchange with nothing of the client around it (one
#                coroutine per connection over the library's TLS stream and answer reader)
#   floor-d      stytch-floor --decode: the same, decoding each answer as the client does
#   wrk-2t       wrk -t2, 64 connections
#   stytch-2t    stytch-bench --threads 2 (two threads run the client's io_context)
#   stytch-2l    stytch-bench --threads 2 --loop-per-thread (a client and io_context per
#                thread, 32 connections each: wrk's model)
#   h2load       h2load -c 4 -m 100 (nghttp2-client, 1 thread) on the same nginx's second port,
#                `listen ... ssl http2`, for half of BENCH_SECONDS
#   stytch-h2    stytch-bench --http-version 2, 4 connections, 400 calls in flight, 1 thread,
#                the same port and duration
#   floor-h2     stytch-floor --http2 (4 connections × 100 streams), with and without --decode
# and prints the medians over the rounds with each one's ratio to wrk (the 2-thread rows to
# wrk -t2), and how throughput ratio and CPU per request move from 1 to 2 threads; then the h2
# pair with stytch-h2's ratio to h2load (target >= 0.85x, 0 errors). Then 10,000 callers on the
# pool, the latency-bound row (stytch-mock --delay-ms 20 --http2, 1,000 callers on
# max_connections 4, --http-version 1.1 then 2, half of BENCH_SECONDS each: calls/s and the
# ratio h2 / HTTP/1.1, target >= 50x), and the decode micro-benchmark (stytch-decode-bench).
# Before those, bench/counts.sh counts instructions, allocations and system calls per call, and
# the goals of issue 20 are printed from this run, each met or missed; bench/locks.sh counts the
# mutexes a call takes, how often they are contended and how long they are held (1 and 2 threads).
# An HTTP/2 contender that fails shows its errors and the run goes on.
#
# Environment: BENCH_ROUNDS (3), BENCH_SECONDS (8), BENCH_WRK_THREADS (1),
# BENCH_CONNECTIONS (64), BENCH_CONCURRENCY (256), STYTCH_BENCH_BUILD_DIR (build-bench);
# BENCH_SERVE_ONLY=1 only starts nginx and prints the arguments for stytch-bench (profiling).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=${STYTCH_BENCH_BUILD_DIR:-$root/build-bench}
rounds=${BENCH_ROUNDS:-3}
seconds=${BENCH_SECONDS:-8}
wrk_threads=${BENCH_WRK_THREADS:-1}
connections=${BENCH_CONNECTIONS:-64}
concurrency=${BENCH_CONCURRENCY:-256}
# The HTTP/2 rows run half as long as the others, so that they add about a sixth to the bench.
h2_seconds=$(awk -v s="$seconds" 'BEGIN { printf "%.3f", s / 2 }')
h2_ms=$(awk -v s="$h2_seconds" 'BEGIN { printf "%d", s * 1000 }')
project_id=project-test-11111111-2222-3333-4444-555555555555
secret=secret-test-mock
org=organization-test-07971b06-ac8b-4cdb-9c15-63b17e653931

for tool in nginx wrk h2load openssl /usr/bin/time valgrind heaptrack strace; do
    command -v "$tool" >/dev/null || { echo "bench: $tool is missing" >&2; exit 1; }
done

echo "== building the bench's binaries (Release, $build_dir)"
cmake -S "$root" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build_dir" -j "$(nproc)" --target stytch-bench stytch-floor stytch-decode-bench \
    stytch-mock lockstat >/dev/null
bench_bin=$build_dir/bench/stytch-bench
floor_bin=$build_dir/bench/stytch-floor
decode_bin=$build_dir/bench/stytch-decode-bench
mock_bin=$build_dir/tools/stytch-mock/stytch-mock

work=$(mktemp -d)
nginx_pid="" mock_pid=""
cleanup() {
    [[ -n $nginx_pid ]] && kill "$nginx_pid" 2>/dev/null && wait "$nginx_pid" 2>/dev/null
    [[ -n $mock_pid ]] && kill "$mock_pid" 2>/dev/null && wait "$mock_pid" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

echo "== certificates (openssl, in $work)"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
    -subj "/CN=stytch-bench CA" -keyout "$work/ca.key" -out "$work/ca.pem" 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -subj "/CN=127.0.0.1" -keyout "$work/server.key" -out "$work/server.csr" 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n' \
    >"$work/server.ext"
openssl x509 -req -in "$work/server.csr" -CA "$work/ca.pem" -CAkey "$work/ca.key" \
    -CAcreateserial -days 2 -extfile "$work/server.ext" -out "$work/server.pem" 2>/dev/null

# Two free ports on 127.0.0.1: HTTP/1.1 only, and h2 (with HTTP/1.1 for who does not offer h2).
port=$(( 20000 + RANDOM % 20000 ))
while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$(( port + 1 )); done
port_h2=$(( port + 1 ))
while (exec 3<>"/dev/tcp/127.0.0.1/$port_h2") 2>/dev/null; do port_h2=$(( port_h2 + 1 )); done

body=$(tr -d '\n' <"$root/bench/organization.json")
[[ $body != *"'"* && $body != *'$'* ]] || { echo "bench: organization.json must not contain ' or \$" >&2; exit 1; }
cat >"$work/nginx.conf" <<CONF
worker_processes 1;
daemon off;
pid $work/nginx.pid;
error_log $work/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    keepalive_requests 100000000;
    keepalive_timeout 300s;
    client_body_temp_path $work/client_body;
    ssl_certificate $work/server.pem;
    ssl_certificate_key $work/server.key;
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_session_cache off;
    server {
        listen 127.0.0.1:$port ssl;
        include $work/api.conf;
    }
    server {
        listen 127.0.0.1:$port_h2 ssl http2;
        include $work/api.conf;
    }
}
CONF
cat >"$work/api.conf" <<CONF
location ~ ^/v1/b2b/organizations/[^/]+/external_id\$ {
    if (\$request_method != DELETE) { return 405; }
    default_type application/json;
    return 200 '$body';
}
location / { return 404; }
CONF
nginx -p "$work" -c "$work/nginx.conf" &
nginx_pid=$!
for _ in $(seq 50); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
    sleep 0.1
done
url=https://127.0.0.1:$port
url_h2=https://127.0.0.1:$port_h2
path=/v1/b2b/organizations/$org/external_id
echo "== nginx (1 worker) at $url, with http2 at $url_h2"

# Sanity check: one call through the client.
"$bench_bin" --url "$url" --ca-file "$work/ca.pem" --requests 1 --connections 1 --concurrency 1 \
    --json >/dev/null || { echo "bench: the client cannot call nginx" >&2; cat "$work/error.log" >&2; exit 1; }
# Over h2 a failure is reported and the run goes on (its rows then show errors).
if ! "$bench_bin" --url "$url_h2" --ca-file "$work/ca.pem" --requests 1 --connections 1 \
    --concurrency 1 --http-version 2 >"$work/h2-check.txt" 2>&1; then
    echo "bench: the client cannot call nginx over HTTP/2 ($(sed -n 's/^first error *//p' "$work/h2-check.txt")); its h2 rows will show errors"
fi

if [[ -n ${BENCH_SERVE_ONLY:-} ]]; then
    # For profiling: keep nginx up and let the caller drive stytch-bench by hand.
    cp "$work/ca.pem" "$build_dir/bench-ca.pem"
    echo "== serving: --url $url --ca-file $build_dir/bench-ca.pem (Ctrl-C stops)"
    wait "$nginx_pid"
    exit 0
fi

export STYTCH_BENCH_AUTH="Basic $(printf '%s:%s' "$project_id" "$secret" | openssl base64 -A)"
results=$work/results.txt  # lines: name rps p50_us p99_us cpu_us_per_request errors

# wrk latency like "1.23ms" / "850.00us" / "1.02s" -> microseconds
to_us() {
    awk -v v="$1" 'BEGIN { n = v + 0; u = v; sub(/^[0-9.]+/, "", u);
        if (u == "us") f = 1; else if (u == "ms") f = 1000; else if (u == "s") f = 1000000;
        else if (u == "m") f = 60000000; else f = 1; printf "%.0f", n * f }'
}

run_wrk() {  # run_wrk NAME THREADS
    local name=$1 threads=$2 out=$work/wrk.out tm=$work/wrk.time
    /usr/bin/time -f '%U %S' -o "$tm" \
        wrk -t "$threads" -c "$connections" -d "${seconds}s" --latency \
        -s "$root/bench/wrk.lua" "$url$path" >"$out"
    local rps requests errors cpu p50 p99
    rps=$(awk '/^Requests\/sec:/ { print $2 }' "$out")
    requests=$(awk '/requests in/ { print $1 }' "$out")
    errors=$(awk '/Non-2xx or 3xx responses:/ { n += $NF } /Socket errors:/ { n += $4 + $6 + $8 + $10 } END { print n + 0 }' "$out")
    p50=$(to_us "$(awk '$1 == "50%" { print $2 }' "$out")")
    p99=$(to_us "$(awk '$1 == "99%" { print $2 }' "$out")")
    cpu=$(awk -v r="$requests" '{ printf "%.2f", ($1 + $2) * 1e6 / r }' "$tm")
    echo "$name $rps $p50 $p99 $cpu $errors" >>"$results"
    printf '   %-9s %10.0f req/s  p50 %6d us  p99 %6d us  %6.1f us CPU/req  %d errors\n' \
        "$name" "$rps" "$p50" "$p99" "$cpu" "$errors"
}

# record_json NAME LINE: a contender's JSON summary; one that failed (all its calls failed, or
# it crashed) is recorded with its errors and the bench goes on.
record_json() {
    local name=$1 line=$2
    [[ $line == '{'* ]] || line='{"requests_per_second":0,"p50_us":0,"p99_us":0,"cpu_us_per_request":0,"errors":1}'
    # {"...","requests_per_second":X,"p50_us":X,...} -> fields
    local rps p50 p99 cpu errors
    field() { sed -E "s/.*\"$1\":([0-9.]+).*/\\1/" <<<"$line"; }
    rps=$(field requests_per_second); p50=$(field p50_us); p99=$(field p99_us)
    cpu=$(field cpu_us_per_request); errors=$(field errors)
    echo "$name $rps $p50 $p99 $cpu $errors" >>"$results"
    printf '   %-9s %10.0f req/s  p50 %6d us  p99 %6d us  %6.1f us CPU/req  %d errors\n' \
        "$name" "$rps" "$p50" "$p99" "$cpu" "$errors"
}

# run_bench NAME URL SECONDS ARGS...: one stytch-bench run.
run_bench() {
    local name=$1 at=$2 duration=$3
    shift 3
    record_json "$name" "$("$bench_bin" --url "$at" --ca-file "$work/ca.pem" --duration "$duration" \
        --json "$@" | tail -n 1)" || true
}

# run_floor NAME URL SECONDS ARGS...: one stytch-floor run.
run_floor() {
    local name=$1 at=$2 duration=$3
    shift 3
    record_json "$name" "$("$floor_bin" --url "$at$path" --ca-file "$work/ca.pem" \
        --duration "$duration" --json "$@" | tail -n 1)" || true
}

# run_h2load NAME: h2load -c 4 -m 100 on the h2 port for h2_seconds (no percentiles: h2load
# gives none; recorded as 0). Errors: requests done without a 2xx answer.
run_h2load() {
    local name=$1 out=$work/h2load.out tm=$work/h2load.time
    /usr/bin/time -f '%U %S' -o "$tm" \
        h2load -c 4 -m 100 -t 1 -D "${h2_ms}ms" -H ':method: DELETE' \
        -H "authorization: $STYTCH_BENCH_AUTH" -H 'content-type: application/json' \
        -H 'user-agent: Stytch C++ v0.1.0' "$url_h2$path" >"$out" 2>&1 || true
    local rps finished ok cpu
    rps=$(awk '/^finished in/ { print $4 + 0 }' "$out")
    finished=$(awk '/^requests:/ { print $6 + 0 }' "$out")
    ok=$(awk '/^status codes:/ { print $3 + 0 }' "$out")
    cpu=$(awk -v r="${finished:-0}" '{ printf "%.2f", r ? ($1 + $2) * 1e6 / r : 0 }' "$tm")
    local errors=$(( ${finished:-0} - ${ok:-0} ))
    ((${finished:-0} > 0)) || errors=1
    echo "$name ${rps:-0} 0 0 $cpu $errors" >>"$results"
    printf '   %-9s %10.0f req/s  %28s  %6.1f us CPU/req  %d errors\n' \
        "$name" "${rps:-0}" "" "$cpu" "$errors"
}

echo "== $rounds rounds of ${seconds}s each (the h2 pair ${h2_seconds}s), alternating (machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg))"
for r in $(seq "$rounds"); do
    echo "-- round $r"
    run_wrk wrk "$wrk_threads"
    run_bench stytch "$url" "$seconds" --connections "$connections" --concurrency "$concurrency" --threads 1
    run_bench stytch-c "$url" "$seconds" --connections "$connections" --concurrency "$connections" --threads 1
    run_bench naive "$url" "$seconds" --naive --connections "$connections" --concurrency "$connections" --threads 1
    run_floor floor "$url" "$seconds" --connections "$connections"
    run_floor floor-d "$url" "$seconds" --connections "$connections" --decode
    run_wrk wrk-2t 2
    run_bench stytch-2t "$url" "$seconds" --connections "$connections" --concurrency "$concurrency" --threads 2
    run_bench stytch-2l "$url" "$seconds" --connections "$connections" --concurrency "$concurrency" --threads 2 --loop-per-thread
    run_h2load h2load
    run_bench stytch-h2 "$url_h2" "$h2_seconds" --http-version 2 --connections 4 --concurrency 400 --threads 1
    run_floor floor-h2 "$url_h2" "$h2_seconds" --http2 --connections 4 --streams 100
    run_floor floor-h2d "$url_h2" "$h2_seconds" --http2 --connections 4 --streams 100 --decode
done

echo
echo "== medians over $rounds rounds (wrk: $wrk_threads thread(s), $connections connections; stytch-bench: $connections connections, $concurrency in flight, 1 thread; "C=N": as many in flight as connections, like wrk; naive: $connections in flight, a TLS handshake per call)"
# The results by contender; median(name, column) over the rounds.
medians='
function median(name, col,    n, i, j, t, a) {
    n = 0
    for (i = 1; i <= NR_; i++) if (nm[i] == name) a[++n] = v[i, col]
    for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
function errors(name,    i, e) { for (i = 1; i <= NR_; i++) if (nm[i] == name) e += v[i, 6]; return e + 0 }
{ NR_ = NR; nm[NR] = $1; for (c = 2; c <= 6; c++) v[NR, c] = $c }'
awk "$medians"'
END {
    wr = median("wrk", 2); w50 = median("wrk", 3); w99 = median("wrk", 4); wc = median("wrk", 5)
    wr2 = median("wrk-2t", 2); w992 = median("wrk-2t", 4); wc2 = median("wrk-2t", 5)
    printf "| %-12s | %10s | %8s | %8s | %11s | %6s | %10s | %9s | %9s |\n", "contender", "req/s", "p50 us", "p99 us", "CPU us/req", "errors", "req/s ÷ wrk", "CPU ÷ wrk", "p99 ÷ wrk"
    printf "|--------------|-----------:|---------:|---------:|------------:|-------:|-----------:|----------:|----------:|\n"
    split("wrk stytch stytch-c naive floor floor-d wrk-2t stytch-2t stytch-2l", names, " ")
    split("wrk|stytch-bench|stytch C=N|naive Beast|floor|floor+decode|wrk -t2|stytch 2 thr|2 loops", labels, "|")
    for (k = 1; k <= 9; k++) {
        n = names[k]; r = median(n, 2); p5 = median(n, 3); p9 = median(n, 4); c = median(n, 5); e = errors(n)
        # The 2-thread rows compare with wrk -t2.
        br = k > 6 ? wr2 : wr; bc = k > 6 ? wc2 : wc; b9 = k > 6 ? w992 : w99
        printf "| %-12s | %10.0f | %8.0f | %8.0f | %11.1f | %6d | %9.2fx | %8.2fx | %8.2fx |\n", labels[k], r, p5, p9, c, e, r / br, c / bc, p9 / b9
    }
    fc = median("floor-d", 5); sc = median("stytch", 5)
    printf "\nthe library above its floor (stytch-floor --decode: the same exchange and decode, no pool, strands, deadlines or completion hand-off): %.1f us CPU/request of %.1f (%.0f%%)\n", sc - fc, sc, sc ? 100 * (sc - fc) / sc : 0
    s1 = median("stytch", 2) / wr; s2 = median("stytch-2t", 2) / wr2
    printf "\n1 -> 2 threads: throughput ratio to wrk %.2fx -> %.2fx (target: not lower); CPU/request stytch-bench %.2fx, wrk %.2fx (target: stytch <= 1.15x)\n", s1, s2, median("stytch-2t", 5) / median("stytch", 5), wc2 / wc
    printf "a client per thread (--loop-per-thread, wrk'"'"'s model): throughput ratio to wrk -t2 %.2fx, CPU/request %.2fx of 1 thread'"'"'s\n", median("stytch-2l", 2) / wr2, median("stytch-2l", 5) / median("stytch", 5)
}' "$results"

echo
echo "== HTTP/2 against the same nginx (listen ... ssl http2), medians over $rounds rounds of ${h2_seconds}s (h2load -c 4 -m 100, 1 thread; stytch-bench --http-version 2, 4 connections, 400 in flight, 1 thread)"
awk "$medians"'
END {
    hr = median("h2load", 2); hc = median("h2load", 5)
    printf "| %-12s | %10s | %8s | %8s | %11s | %6s | %14s | %12s |\n", "contender", "req/s", "p50 us", "p99 us", "CPU us/req", "errors", "req/s ÷ h2load", "CPU ÷ h2load"
    printf "|--------------|-----------:|---------:|---------:|------------:|-------:|---------------:|-------------:|\n"
    printf "| %-12s | %10.0f | %8s | %8s | %11.1f | %6d | %13.2fx | %11.2fx |\n", "h2load", hr, "-", "-", hc, errors("h2load"), 1, 1
    split("stytch-h2 floor-h2 floor-h2d", names, " ")
    split("stytch h2|floor h2|floor+decode", labels, "|")
    for (k = 1; k <= 3; k++) {
        n = names[k]; r = median(n, 2); c = median(n, 5)
        printf "| %-12s | %10.0f | %8.0f | %8.0f | %11.1f | %6d | %13.2fx | %11.2fx |\n", labels[k], r, median(n, 3), median(n, 4), c, errors(n), hr ? r / hr : 0, hc ? c / hc : 0
    }
    r = median("stytch-h2", 2); c = median("stytch-h2", 5); e = errors("stytch-h2")
    printf "\nthe library above its h2 floor (stytch-floor --http2 --decode): %.1f us CPU/request of %.1f\n", c - median("floor-h2d", 5), c
    printf "\nh2 throughput: stytch-bench %.2fx h2load (target >= 0.85x), %d errors (target 0)\n", hr ? r / hr : 0, e
}' "$results"

echo
echo "== per call: instructions, heap allocations, system calls (bench/counts.sh: runs of ${COUNT_SMALL:-1000} and ${COUNT_LARGE:-3000} calls, the difference per call)"
counts=$work/counts.txt
: >"$counts"
"$root/bench/counts.sh" "$bench_bin" "$url" "$url_h2" "$work/ca.pem" "$path" "$counts" "$floor_bin"

echo
echo "== per call: mutexes (bench/locks.sh: liblockstat.so preloaded, runs of ${LOCKS_SMALL:-2000} and ${LOCKS_LARGE:-10000} calls)"
"$root/bench/locks.sh" "$bench_bin" "$build_dir/bench/liblockstat.so" "$url" "$url_h2" "$work/ca.pem"

echo
echo "== the goals of issue 20, from this run"
awk "$medians"'
FNR == 1 { file++ }
file == 2 { count[$1] = $2; next }
function row(what, ours, goal, met) {
    printf "| %-44s | %14s | %8s | %-6s |\n", what, ours, goal, met ? "met" : "missed"
}
function has(k) { return k in count }
END {
    printf "| %-44s | %14s | %8s | %-6s |\n", "", "ours", "goal", ""
    printf "|----------------------------------------------|---------------:|---------:|--------|\n"
    t = median("stytch", 2) / median("wrk", 2); row("HTTP/1.1, 1 thread, throughput x wrk", sprintf("%.2f", t), ">= 1.0", t >= 1.0)
    t = median("stytch", 5) / median("wrk", 5); row("HTTP/1.1, CPU per call x wrk", sprintf("%.2f", t), "<= 1.15", t <= 1.15)
    h = median("h2load", 2); t = h ? median("stytch-h2", 2) / h : 0; row("HTTP/2, throughput x h2load", sprintf("%.2f", t), ">= 0.85", t >= 0.85)
    h = median("h2load", 5); t = h ? median("stytch-h2", 5) / h : 0; row("HTTP/2, CPU per call x h2load", sprintf("%.2f", t), "<= 1.5", t > 0 && t <= 1.5)
    t = median("stytch-2t", 2) / median("wrk-2t", 2); row("2 threads, throughput x wrk -t2", sprintf("%.2f", t), ">= 0.9", t >= 0.9)
    if (has("instr-h1")) row("instructions per call, HTTP/1.1 (HTTP/2)", sprintf("%.0f (%.0f)", count["instr-h1"], count["instr-h2"]), "<= 60000", count["instr-h1"] <= 60000)
    if (has("instr-wrk")) printf "| %-44s | %14s | %8s | %-6s |\n", "instructions per request, wrk (h2load)", sprintf("%.0f (%.0f)", count["instr-wrk"], count["instr-h2load"]), "-", ""
    if (has("instr-floor")) printf "| %-44s | %14s | %8s | %-6s |\n", "instructions, the floor with decode (h2)", sprintf("%.0f (%.0f)", count["instr-floor"], count["instr-floor-h2"]), "-", ""
    if (has("alloc-h1")) row("heap allocations per call, HTTP/1.1 / HTTP/2", sprintf("%.1f / %.1f", count["alloc-h1"], count["alloc-h2"]), "40 / 45", count["alloc-h1"] <= 40 && count["alloc-h2"] <= 45)
    if (has("sys-h1")) printf "| %-44s | %14s | %8s | %-6s |\n", "system calls per call, HTTP/1.1 / HTTP/2", sprintf("%.2f / %.2f", count["sys-h1"], count["sys-h2"]), "-", ""
    if (has("sys-wrk")) printf "| %-44s | %14s | %8s | %-6s |\n", "system calls per request, wrk / h2load", sprintf("%.2f / %.2f", count["sys-wrk"], count["sys-h2load"]), "-", ""
}' "$results" "$counts"

echo
echo "== many callers, many connections (stytch-bench, ${seconds}s each)"
json_field() { sed -E "s/.*\"$2\":([0-9.]+).*/\\1/" <<<"$1"; }
# Alternated, one pair per round; medians.
few_rps=() many_rps=()
for _ in $(seq "$rounds"); do
    few=$("$bench_bin" --url "$url" --ca-file "$work/ca.pem" --duration "$seconds" --json \
        --connections "$connections" --concurrency "$concurrency" | tail -n 1)
    many=$("$bench_bin" --url "$url" --ca-file "$work/ca.pem" --duration "$seconds" --json \
        --connections "$connections" --concurrency 10000 | tail -n 1)
    few_rps+=("$(json_field "$few" requests_per_second)")
    many_rps+=("$(json_field "$many" requests_per_second)")
done
median_of() { printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
awk -v a="$(median_of "${few_rps[@]}")" -v b="$(median_of "${many_rps[@]}")" \
    -v c="$connections" -v n="$concurrency" -v r="$rounds" 'BEGIN {
    printf "%d callers on %d connections: %.0f req/s; 10000 callers: %.0f req/s (%.2fx; medians of %d alternated runs)\n", n, c, a, b, b / a, r }'
wide=$("$bench_bin" --url "$url" --ca-file "$work/ca.pem" --requests 20000 --json \
    --connections 512 --concurrency 512 | tail -n 1)
echo "512 connections: $(json_field "$wide" idle_heap_kib_per_connection) KiB of heap per idle pooled connection"

echo
echo "== latency-bound: stytch-mock --delay-ms 20 --http2, 1000 callers, max_connections 4 (${h2_seconds}s each, then the calls in flight finish)"
"$mock_bin" --port 0 --ca-out "$work/mock-ca.pem" --delay-ms 20 --http2 >"$work/mock.out" 2>&1 &
mock_pid=$!
for _ in $(seq 300); do
    grep -q '^listening on ' "$work/mock.out" && break
    kill -0 "$mock_pid" 2>/dev/null || break
    sleep 0.1
done
mock_url=$(sed -n 's/^listening on //p' "$work/mock.out")
if [[ -n $mock_url ]]; then
    latency_run() {  # latency_run HTTP_VERSION: stytch-bench's JSON line (errors only if it failed)
        local line
        line=$("$bench_bin" --url "$mock_url" --ca-file "$work/mock-ca.pem" --duration "$h2_seconds" \
            --json --connections 4 --concurrency 1000 --http-version "$1" | tail -n 1) || true
        [[ $line == '{'* ]] && echo "$line" || echo '{"requests_per_second":0,"p50_us":0,"p99_us":0,"errors":1}'
    }
    h1=$(latency_run 1.1)
    h2=$(latency_run 2)
    printf '| %-12s | %10s | %8s | %8s | %6s |\n' "HTTP version" "calls/s" "p50 us" "p99 us" "errors"
    printf '|--------------|-----------:|---------:|---------:|-------:|\n'
    for row in "1.1|$h1" "2|$h2"; do
        j=${row#*|}
        printf '| %-12s | %10.0f | %8d | %8d | %6d |\n' "${row%%|*}" "$(json_field "$j" requests_per_second)" \
            "$(json_field "$j" p50_us)" "$(json_field "$j" p99_us)" "$(json_field "$j" errors)"
    done
    awk -v a="$(json_field "$h1" requests_per_second)" -v b="$(json_field "$h2" requests_per_second)" 'BEGIN {
        printf "\nlatency-bound: h2 / HTTP/1.1 = %.1fx (target >= 50x; HTTP/1.1 ceiling 4 / 20 ms = 200 calls/s)\n", (a > 0 ? b / a : 0) }'
else
    echo "bench: stytch-mock did not start; no latency-bound row"
    cat "$work/mock.out"
fi
kill "$mock_pid" 2>/dev/null && { wait "$mock_pid" 2>/dev/null || true; }
mock_pid=

echo
echo "== decode micro-benchmark (typed decode vs boost::json::parse to a DOM, same bytes)"
"$decode_bin" "$root/bench/organization.json"
