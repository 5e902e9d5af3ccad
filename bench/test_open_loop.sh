#!/usr/bin/env bash
# bench_open_loop: stytch-bench --rate against stytch-mock --latency-uniform 10:30, whose answer
# delay is known (whole ms from 10 to 30, uniform). Over HTTP/1.1 and HTTP/2, 200 calls/s for
# 2 s: the rate is held (the bench's own count and the arrival times in the mock's request log,
# evenly over the run), the .hgrm file is well formed and its percentiles are the distribution's
# (p10 12 ms, p50 20 ms, p90 28 ms, min 10 ms, within sampling error) plus a little client and
# loopback time. Then with one call in flight at most, latency is counted from each call's due
# time: the calls the cap held back wait in the latency (coordinated omission would hide it).
set -u
bench=$1
mock=$2
source "$(dirname "$0")/../test/support/mock_lib.sh"

# within VALUE MIN MAX: MIN <= VALUE <= MAX (decimals allowed)
within() { awk -v v="$1" -v a="$2" -v b="$3" 'BEGIN { exit !(v != "" && v >= a && v <= b) }'; }
field() { sed -nE "s/.*\"$1\":([0-9.]+).*/\\1/p" <<<"$2"; }

"$bench" --help >"$tmp/help" 2>&1
grep -q -- '--rate N' "$tmp/help" && grep -q -- '--hgrm FILE' "$tmp/help"
check help_lists_rate_and_hgrm $?

start_mock --http2 --latency-uniform 10:30 --log "$tmp/log.jsonl" ||
    { echo "FAIL stytch-mock did not start"; exit 1; }
url=$STYTCH_BASE_URL

# arrivals PROTOCOL: the arrival times (seconds of the day, ms resolution) of its requests.
arrivals() {
    grep "\"protocol\":\"$1\"" "$tmp/log.jsonl" |
        sed -nE 's/.*"time":"[0-9-]+T([0-9]+):([0-9]+):([0-9.]+)Z".*/\1 \2 \3/p' |
        awk '{ printf "%.3f\n", $1 * 3600 + $2 * 60 + $3 }' | sort -n
}

for version in 1.1 2; do
    protocol=HTTP/$version
    hgrm=$tmp/h$version.hgrm
    line=$("$bench" --url "$url" --ca-file "$tmp/ca.pem" --http-version "$version" --rate 200 \
        --duration 2 --hgrm "$hgrm" --json 2>"$tmp/bench.err" | tail -n 1)
    [[ $line == '{'* ]]
    check "h$version: the bench ran" $? "$(cat "$tmp/bench.err")"
    [[ $(field requests "$line") == 400 && $(field errors "$line") == 0 ]]
    check "h$version: 400 calls (200/s for 2 s), no errors" $? "$line"
    within "$(field sent_per_second "$line")" 180 220
    check "h$version: sent at 200/s +-10 % by the bench's count" $? "$line"
    [[ $(field late_starts "$line") == 0 ]]
    check "h$version: no call held back by the in-flight cap" $? "$line"

    # The server's view: arrival times of this protocol's requests (the log line is written once
    # the answer is; wait for all 400).
    for _ in $(seq 100); do
        (($(grep -c "\"protocol\":\"$protocol\"" "$tmp/log.jsonl") >= 400)) && break
        sleep 0.05
    done
    arrivals "$protocol" >"$tmp/arrivals"
    [[ $(wc -l <"$tmp/arrivals") == 400 ]]
    check "h$version: 400 requests in the mock's log" $? "$(wc -l <"$tmp/arrivals")"
    rate=$(awk 'NR == 1 { f = $1 } { l = $1 } END { if (l > f) printf "%.1f", (NR - 1) / (l - f) }' \
        "$tmp/arrivals")
    within "$rate" 180 220
    check "h$version: arrived at 200/s +-10 % by the mock's log ($rate/s)" $?
    # Evenly: each half second of the run got 100 +-20 requests (a burst then a pause fails).
    windows=$(awk 'NR == 1 { f = $1 } { w = int(($1 - f) / 0.5); if (w < 4) n[w]++ }
        END { for (w = 0; w < 4; w++) printf "%d ", n[w] }' "$tmp/arrivals")
    awk -v w="$windows" 'BEGIN { k = split(w, n, " "); for (i = 1; i <= 4; i++) if (n[i] < 80 || n[i] > 120) exit 1; exit k != 4 }'
    check "h$version: 100 +-20 arrivals in each half second ($windows)" $?

    # The .hgrm file: HdrHistogram's header, rows, the 100 % row and the footer.
    [[ $(head -1 "$hgrm") == '       Value     Percentile TotalCount 1/(1-Percentile)' ]] &&
        grep -qE '^ +[0-9.]+ 1\.000000000000 +400$' "$hgrm" &&
        grep -qE '^#\[Mean    = +[0-9.]+, StdDeviation   = +[0-9.]+\]$' "$hgrm" &&
        grep -qE '^#\[Max     = +[0-9.]+, Total count    = +400\]$' "$hgrm" &&
        grep -qE '^#\[Buckets = +[0-9]+, SubBuckets     = +2048\]$' "$hgrm"
    check "h$version: .hgrm header, 100 % row and footer" $?
    at() { awk -v p="$1" '$2 == p { print $1; exit }' "$hgrm"; }
    p0=$(at 0.000000000000) p10=$(at 0.100000000000) p50=$(at 0.500000000000)
    p90=$(at 0.900000000000)
    max=$(sed -nE 's/^#\[Max     = +([0-9.]+),.*/\1/p' "$hgrm")
    # Uniform whole ms 10..30, 400 calls: the sample's p10 is 11 to 13 ms, its p50 18 to 22 and
    # its p90 27 to 29, each outside with a probability under 1e-5 (binomial counts of the
    # draws at or below each value); the min is 10 ms (no draw of 10 among 400: 3e-9), the max
    # 30. The client, TLS and the loopback add about 1 ms (more on a loaded machine, and for
    # the calls that wait for a new connection's handshake), so each upper bound allows 4 ms.
    # A fixed 20 ms would fail p10 and p90; latency not from the due time would not change these.
    within "$p0" 10 14
    check "h$version: min $p0 ms in [10, 14]" $?
    within "$p10" 11 17
    check "h$version: p10 $p10 ms in [11, 17]" $?
    within "$p50" 18 26
    check "h$version: p50 $p50 ms in [18, 26]" $?
    within "$p90" 27 33
    check "h$version: p90 $p90 ms in [27, 33]" $?
    within "$max" 30 80
    check "h$version: max $max ms in [30, 80]" $?
    # The summary reads the same percentiles as the file.
    awk -v a="$(field p50_us "$line")" -v b="$p50" 'BEGIN { exit !(a / 1000 - b < 0.001 && b - a / 1000 < 0.001) }'
    check "h$version: the summary's p50 is the file's" $?
done

# At most one call in flight, 100 calls due at 200/s (over 0.5 s) that take ~20 ms each (~2 s
# in all): the cap holds 99 back, and the last ones complete ~1.5 s after they were due.
line=$("$bench" --url "$url" --ca-file "$tmp/ca.pem" --http-version 2 --rate 200 --requests 100 \
    --concurrency 1 --json 2>"$tmp/bench.err" | tail -n 1)
[[ $(field requests "$line") == 100 && $(field errors "$line") == 0 ]]
check "cap 1: 100 calls, no errors" $? "$line $(cat "$tmp/bench.err")"
within "$(field late_starts "$line")" 90 99
check "cap 1: the cap held back 90 to 99 calls" $? "$line"
within "$(field p50_us "$line")" 400000 2000000
check "cap 1: p50 from due time 0.4 to 2 s, not the ~20 ms of one call" $? "$line"
within "$(field max_us "$line")" 1000000 4000000
check "cap 1: max from due time 1 to 4 s" $? "$line"

summary
