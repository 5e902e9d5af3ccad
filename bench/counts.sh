#!/usr/bin/env bash
# Per-call counts of stytch-bench against a running server, for both HTTP versions: instructions
# (callgrind), heap allocations (heaptrack) and system calls (strace -c), each the difference
# between a run of SMALL and one of LARGE calls divided by LARGE - SMALL, so that start-up and
# the TLS handshakes cancel out. System calls of wrk and h2load per request are counted beside
# (strace over a run of COUNT_SECONDS; their totals include their handshakes).
#
# usage: bench/counts.sh STYTCH_BENCH URL URL_H2 CA_FILE PATH OUT [STYTCH_FLOOR]
#   OUT gets lines "name value": instr-h1 instr-h2 alloc-h1 alloc-h2 sys-h1 sys-h2, the load
#   generators' instr-wrk instr-h2load sys-wrk sys-h2load, and instr-floor / instr-floor-h2
#   (stytch-floor --decode, 64 connections; with --http2, 4) when STYTCH_FLOOR is given. A count
#   that could not be taken is absent. PATH is the request path that wrk and h2load ask for
#   (with STYTCH_BENCH_AUTH as their authorization header).
# Environment: COUNT_SMALL (1000), COUNT_LARGE (3000), COUNT_SECONDS (2); needs valgrind,
# heaptrack and strace (./scripts/dev bench installs them).
set -euo pipefail

bench_bin=$1 url=$2 url_h2=$3 ca=$4 path=$5 out=$6 floor_bin=${7:-}
small=${COUNT_SMALL:-1000}
large=${COUNT_LARGE:-3000}
seconds=${COUNT_SECONDS:-2}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The contenders' arguments, as in bench/run.sh.
h1_args=(--url "$url" --connections 64 --concurrency 256 --threads 1)
h2_args=(--url "$url_h2" --http-version 2 --connections 4 --concurrency 400 --threads 1)

# per_call NAME SMALL_TOTAL LARGE_TOTAL
per_call() {
    [[ -n $2 && -n $3 ]] || return 0
    awk -v n="$1" -v a="$2" -v b="$3" -v s="$small" -v l="$large" \
        'BEGIN { printf "%s %.1f\n", n, (b - a) / (l - s) }' | tee -a "$out"
}

instructions() {  # instructions [--bin BIN] ARGS... -> total instructions of one run
    local f=$work/callgrind.out bin=$bench_bin
    if [[ $1 == --bin ]]; then
        bin=$2
        shift 2
    fi
    valgrind --tool=callgrind --callgrind-out-file="$f" "$bin" --ca-file "$ca" --json "$@" \
        >/dev/null 2>&1 || return 0
    awk '/^(summary|totals):/ { print $2; exit }' "$f"
}

allocations() {  # allocations ARGS... -> calls to allocation functions of one run
    local f=$work/heaptrack
    rm -f "$f".*
    heaptrack -o "$f" "$bench_bin" --ca-file "$ca" --json "$@" >/dev/null 2>&1 || return 0
    heaptrack_print "$f".* 2>/dev/null | awk '/^calls to allocation functions:/ { print $5; exit }'
}

syscalls() {  # syscalls COMMAND... -> system calls of one run, all threads
    local f=$work/strace
    strace -f -c -o "$f" "$@" >"$work/stdout" 2>&1 || true
    awk '$NF == "total" { print $(NF - 2) }' "$f"
}

count_version() {  # count_version NAME ARGS...
    local v=$1
    shift
    per_call "instr-$v" "$(instructions "$@" --requests "$small")" \
        "$(instructions "$@" --requests "$large")"
    per_call "alloc-$v" "$(allocations "$@" --requests "$small")" \
        "$(allocations "$@" --requests "$large")"
    per_call "sys-$v" "$(syscalls "$bench_bin" --ca-file "$ca" --json "$@" --requests "$small")" \
        "$(syscalls "$bench_bin" --ca-file "$ca" --json "$@" --requests "$large")"
}
count_version h1 "${h1_args[@]}"
count_version h2 "${h2_args[@]}"
if [[ -n $floor_bin ]]; then
    floor_args=(--bin "$floor_bin" --url "$url$path" --connections 64 --decode)
    per_call instr-floor "$(instructions "${floor_args[@]}" --requests "$small")" \
        "$(instructions "${floor_args[@]}" --requests "$large")"
    floor_args=(--bin "$floor_bin" --url "$url_h2$path" --http2 --connections 4 --decode)
    per_call instr-floor-h2 "$(instructions "${floor_args[@]}" --requests "$small")" \
        "$(instructions "${floor_args[@]}" --requests "$large")"
fi

# The load generators' instructions per request: h2load makes a given number of requests; wrk
# runs for a time, so its figure is the difference of a short and a long run over the
# difference of their requests.
wrk_args=(-t 1 -c 64 -s "$root/bench/wrk.lua")
h2load_args=(-c 4 -m 100 -t 1 -H ':method: DELETE' -H "authorization: $STYTCH_BENCH_AUTH"
    -H 'content-type: application/json')
generator_instructions() {  # generator_instructions COMMAND... -> "instructions requests"
    local f=$work/callgrind.out
    valgrind --tool=callgrind --callgrind-out-file="$f" "$@" >"$work/stdout" 2>/dev/null || return 0
    echo "$(awk '/^(summary|totals):/ { print $2; exit }' "$f")" \
        "$(awk '/requests in/ { print $1 } /^requests:/ { print $6 + 0 }' "$work/stdout")"
}
per_request() {  # per_request NAME "INSTR REQS" "INSTR REQS"
    read -r a ra <<<"$2"
    read -r b rb <<<"$3"
    [[ -n $a && -n $b && -n $ra && -n $rb && $rb -gt $ra ]] || return 0
    awk -v n="$1" -v a="$a" -v b="$b" -v ra="$ra" -v rb="$rb" \
        'BEGIN { printf "%s %.1f\n", n, (b - a) / (rb - ra) }' | tee -a "$out"
}
per_request instr-wrk \
    "$(generator_instructions wrk -d 3s "${wrk_args[@]}" "$url$path")" \
    "$(generator_instructions wrk -d 9s "${wrk_args[@]}" "$url$path")"
per_request instr-h2load \
    "$(generator_instructions h2load -n "$small" "${h2load_args[@]}" "$url_h2$path")" \
    "$(generator_instructions h2load -n "$large" "${h2load_args[@]}" "$url_h2$path")"

# The load generators: system calls over a timed run, divided by the requests it made.
total=$(syscalls wrk -d "${seconds}s" "${wrk_args[@]}" "$url$path")
requests=$(awk '/requests in/ { print $1 }' "$work/stdout")
[[ -n $total && -n $requests ]] &&
    awk -v t="$total" -v r="$requests" 'BEGIN { printf "sys-wrk %.1f\n", t / r }' | tee -a "$out"
total=$(syscalls h2load -D "${seconds}" "${h2load_args[@]}" "$url_h2$path")
requests=$(awk '/^requests:/ { print $6 + 0 }' "$work/stdout")
[[ -n $total && ${requests:-0} -gt 0 ]] &&
    awk -v t="$total" -v r="$requests" 'BEGIN { printf "sys-h2load %.1f\n", t / r }' | tee -a "$out"
exit 0
