#!/usr/bin/env bash
# Mutex use per call of stytch-bench against a running server, with 1 and 2 threads over
# HTTP/1.1 and with 1 thread over HTTP/2: acquisitions, the ones that found the mutex taken,
# the time waited for those and the time held (liblockstat.so preloaded, bench/lockstat.cpp).
# Each figure is the difference between a run of SMALL and one of LARGE calls divided by
# LARGE - SMALL; then the sites that take most, for the 2-thread run (addr2line).
#
# usage: bench/locks.sh STYTCH_BENCH LIBLOCKSTAT URL URL_H2 CA_FILE
# Environment: LOCKS_SMALL (2000), LOCKS_LARGE (10000), LOCKS_TOP (10).
set -euo pipefail

bench_bin=$1 lockstat=$2 url=$3 url_h2=$4 ca=$5
small=${LOCKS_SMALL:-2000}
large=${LOCKS_LARGE:-10000}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

run() {  # run OUT CALLS ARGS...
    local out=$1 calls=$2
    shift 2
    LD_PRELOAD=$lockstat LOCKSTAT_OUT=$out "$bench_bin" --ca-file "$ca" --json --requests "$calls" \
        "$@" >/dev/null
}

totals() {  # totals FILE -> "acquisitions contended wait_ns hold_ns"
    awk '{ a += $3; c += $4; w += $5; h += $6 } END { printf "%d %d %d %d\n", a, c, w, h }' "$1"
}

printf "%-22s %12s %10s %12s %12s\n" "per call" acquisitions contended "waited (ns)" "held (ns)"
measure() {  # measure NAME ARGS...
    local name=$1
    shift
    run "$work/small" "$small" "$@"
    run "$work/large" "$large" "$@"
    paste <(totals "$work/small" | tr ' ' '\n') <(totals "$work/large" | tr ' ' '\n') |
        awk -v n="$name" -v d="$((large - small))" '
            { v[NR] = ($2 - $1) / d }
            END { printf "%-22s %12.1f %10.3f %12.0f %12.0f\n", n, v[1], v[2], v[3], v[4] }'
}
measure "HTTP/1.1, 1 thread" --url "$url" --connections 64 --concurrency 256 --threads 1
measure "HTTP/1.1, 2 threads" --url "$url" --connections 64 --concurrency 256 --threads 2
cp "$work/large" "$work/large-2t"
measure "HTTP/2, 1 thread" --url "$url_h2" --http-version 2 --connections 4 --concurrency 400 \
    --threads 1

echo "-- HTTP/1.1, 2 threads, the $large-call run by site: acquisitions and contended per call," \
     "ns waited per call, ns held per acquisition (a socket's mutex is held over its system call)"
sort -k3,3nr "$work/large-2t" | head -n "${LOCKS_TOP:-10}" |
    while read -r module offset acq con wait hold; do
        fn=$(addr2line -f -C -e "$module" "$offset" 2>/dev/null | head -n 1 | cut -c1-72)
        awk -v f="${fn:-$module+$offset}" -v a="$acq" -v c="$con" -v w="$wait" -v h="$hold" \
            -v n="$large" 'BEGIN { printf "  %-72s %5.2f %6.3f %7.0f %6.0f\n", f, a / n, c / n, w / n, h / a }'
    done
