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
#   wrk-2t       wrk -t2, 64 connections
#   stytch-2t    stytch-bench --threads 2 (two threads run the client's io_context)
# and prints the medians over the rounds with each one's ratio to wrk (the 2-thread rows to
# wrk -t2), and how throughput ratio and CPU per request move from 1 to 2 threads. Then runs the decode
# micro-benchmark (stytch-decode-bench).
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
project_id=project-test-11111111-2222-3333-4444-555555555555
secret=secret-test-mock
org=organization-test-07971b06-ac8b-4cdb-9c15-63b17e653931

for tool in nginx wrk openssl /usr/bin/time; do
    command -v "$tool" >/dev/null || { echo "bench: $tool is missing" >&2; exit 1; }
done

echo "== building stytch-bench and stytch-decode-bench (Release, $build_dir)"
cmake -S "$root" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build_dir" -j "$(nproc)" --target stytch-bench stytch-decode-bench >/dev/null
bench_bin=$build_dir/bench/stytch-bench
decode_bin=$build_dir/bench/stytch-decode-bench

work=$(mktemp -d)
nginx_pid=
cleanup() {
    [[ -n $nginx_pid ]] && kill "$nginx_pid" 2>/dev/null && wait "$nginx_pid" 2>/dev/null
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

# A free port on 127.0.0.1.
port=$(( 20000 + RANDOM % 20000 ))
while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$(( port + 1 )); done

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
    server {
        listen 127.0.0.1:$port ssl;
        ssl_certificate $work/server.pem;
        ssl_certificate_key $work/server.key;
        ssl_protocols TLSv1.2 TLSv1.3;
        ssl_session_cache off;
        location ~ ^/v1/b2b/organizations/[^/]+/external_id\$ {
            if (\$request_method != DELETE) { return 405; }
            default_type application/json;
            return 200 '$body';
        }
        location / { return 404; }
    }
}
CONF
nginx -p "$work" -c "$work/nginx.conf" &
nginx_pid=$!
for _ in $(seq 50); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && break
    sleep 0.1
done
url=https://127.0.0.1:$port
path=/v1/b2b/organizations/$org/external_id
echo "== nginx (1 worker) at $url"

# Sanity check: one call through the client.
"$bench_bin" --url "$url" --ca-file "$work/ca.pem" --requests 1 --connections 1 --concurrency 1 \
    --json >/dev/null || { echo "bench: the client cannot call nginx" >&2; cat "$work/error.log" >&2; exit 1; }

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

run_bench() {
    local name=$1; shift
    local line
    line=$("$bench_bin" --url "$url" --ca-file "$work/ca.pem" --duration "$seconds" --json "$@" | tail -n 1)
    # {"...","requests_per_second":X,"p50_us":X,...} -> fields
    local rps p50 p99 cpu errors
    field() { sed -E "s/.*\"$1\":([0-9.]+).*/\\1/" <<<"$line"; }
    rps=$(field requests_per_second); p50=$(field p50_us); p99=$(field p99_us)
    cpu=$(field cpu_us_per_request); errors=$(field errors)
    echo "$name $rps $p50 $p99 $cpu $errors" >>"$results"
    printf '   %-9s %10.0f req/s  p50 %6d us  p99 %6d us  %6.1f us CPU/req  %d errors\n' \
        "$name" "$rps" "$p50" "$p99" "$cpu" "$errors"
}

echo "== $rounds rounds of ${seconds}s each, alternating (machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg))"
for r in $(seq "$rounds"); do
    echo "-- round $r"
    run_wrk wrk "$wrk_threads"
    run_bench stytch --connections "$connections" --concurrency "$concurrency" --threads 1
    run_bench stytch-c --connections "$connections" --concurrency "$connections" --threads 1
    run_bench naive --naive --connections "$connections" --concurrency "$connections" --threads 1
    run_wrk wrk-2t 2
    run_bench stytch-2t --connections "$connections" --concurrency "$concurrency" --threads 2
done

echo
echo "== medians over $rounds rounds (wrk: $wrk_threads thread(s), $connections connections; stytch-bench: $connections connections, $concurrency in flight, 1 thread; "C=N": as many in flight as connections, like wrk; naive: $connections in flight, a TLS handshake per call)"
awk '
function median(name, col,    n, i, j, t, a) {
    n = 0
    for (i = 1; i <= NR_; i++) if (nm[i] == name) a[++n] = v[i, col]
    for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
{ NR_ = NR; nm[NR] = $1; for (c = 2; c <= 6; c++) v[NR, c] = $c }
END {
    wr = median("wrk", 2); w50 = median("wrk", 3); w99 = median("wrk", 4); wc = median("wrk", 5)
    wr2 = median("wrk-2t", 2); w992 = median("wrk-2t", 4); wc2 = median("wrk-2t", 5)
    printf "| %-12s | %10s | %8s | %8s | %11s | %6s | %10s | %9s | %9s |\n", "contender", "req/s", "p50 us", "p99 us", "CPU us/req", "errors", "req/s ÷ wrk", "CPU ÷ wrk", "p99 ÷ wrk"
    printf "|--------------|-----------:|---------:|---------:|------------:|-------:|-----------:|----------:|----------:|\n"
    split("wrk stytch stytch-c naive wrk-2t stytch-2t", names, " ")
    split("wrk|stytch-bench|stytch C=N|naive Beast|wrk -t2|stytch 2 thr", labels, "|")
    for (k = 1; k <= 6; k++) {
        n = names[k]; r = median(n, 2); p5 = median(n, 3); p9 = median(n, 4); c = median(n, 5); e = 0
        for (i = 1; i <= NR_; i++) if (nm[i] == n) e += v[i, 6]
        # The 2-thread rows compare with wrk -t2.
        br = k > 4 ? wr2 : wr; bc = k > 4 ? wc2 : wc; b9 = k > 4 ? w992 : w99
        printf "| %-12s | %10.0f | %8.0f | %8.0f | %11.1f | %6d | %9.2fx | %8.2fx | %8.2fx |\n", labels[k], r, p5, p9, c, e, r / br, c / bc, p9 / b9
    }
    s1 = median("stytch", 2) / wr; s2 = median("stytch-2t", 2) / wr2
    printf "\n1 -> 2 threads: throughput ratio to wrk %.2fx -> %.2fx (target: not lower); CPU/request stytch-bench %.2fx, wrk %.2fx (target: stytch <= 1.15x)\n", s1, s2, median("stytch-2t", 5) / median("stytch", 5), wc2 / wc
}' "$results"

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
echo "== decode micro-benchmark (typed decode vs boost::json::parse to a DOM, same bytes)"
"$decode_bin" "$root/bench/organization.json"
