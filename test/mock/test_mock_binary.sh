#!/usr/bin/env bash
# The stytch-mock executable's fault flags and request log, seen by the stytch-b2b CLI: each
# flag does what --help says, and the log has one JSON line per request, credentials masked.
set -u
mock=$1
cli=$2
source "$(dirname "$0")/../support/mock_lib.sh"
use_mock_credentials
org=$acme_org
credentials=$(printf '%s' "$STYTCH_PROJECT_ID:$STYTCH_SECRET" | base64 -w0)

# statuses FILE: the "status" of each JSON line, space-separated.
statuses() {
    grep -o '"status":[a-z0-9]*' "$1" | cut -d: -f2 | tr '\n' ' '
}
# min_duration FILE: the smallest "duration_us" of its lines.
min_duration() {
    grep -o '"duration_us":[0-9]*' "$1" | cut -d: -f2 | sort -n | head -1
}

"$mock" --help >"$tmp/help" 2>&1
for flag in --scenario --log --latency --latency-uniform --sequence --repeat --goaway-after \
    retry_after interval_ms; do
    grep -q -- "$flag" "$tmp/help" || { echo "--help lacks $flag"; false; } || break
done
check help_documents_the_fault_flags $?

# Usage errors: exit 2, naming the fault, nothing served.
echo '{"sequence": ["ok"], "latency": 5}' >"$tmp/bad.json"
ok=0
for args in "--sequence 200" "--sequence 503,nope" "--latency-uniform 9:3" \
    "--scenario $tmp/bad.json" "--scenario $tmp/missing.json" "--latency x"; do
    # shellcheck disable=SC2086
    timeout 30 "$mock" --port 0 $args >"$tmp/usage.out" 2>"$tmp/usage.err"
    status=$?
    if [[ $status -ne 2 || -s $tmp/usage.out ]]; then
        echo "  $args: status $status"; ok=1
    fi
done
grep -q "unknown member 'latency'" <("$mock" --scenario "$tmp/bad.json" 2>&1) || ok=1
check usage_errors_exit_2 $ok

# A status sequence with Retry-After, logged to a file: the CLI retries through 429 and 503.
start_mock --sequence 429:1,503 --log "$tmp/log.jsonl"
check starts_with_a_sequence $?
start=$(date +%s%N)
"$cli" delete-external-id "$org" --session-token session-token-xyzzy >"$tmp/call.out" 2>&1
check cli_succeeds_after_429_and_503 $?
elapsed_ms=$((($(date +%s%N) - start) / 1000000))
((elapsed_ms >= 1000))
check retry_after_was_honoured $?
stop_mock
[[ $(wc -l <"$tmp/log.jsonl") -eq 3 && $(statuses "$tmp/log.jsonl") == "429 503 200 " ]]
check log_has_one_line_per_request $?
[[ $(grep -c '"method":"DELETE","path":"/v1/b2b/organizations/'"$org"'/external_id","protocol":"HTTP/1.1"' "$tmp/log.jsonl") -eq 3 &&
    $(grep -c '"Authorization":"Basic \*\*\*"' "$tmp/log.jsonl") -eq 3 &&
    $(grep -c '"X-Stytch-Member-Session":"\*\*\*"' "$tmp/log.jsonl") -eq 3 &&
    $(grep -c '^{"time":"[0-9-]*T[0-9:.]*Z","connection":[0-9]*,' "$tmp/log.jsonl") -eq 3 ]]
check log_lines_hold_the_request $?
! grep -qe "$credentials" -e secret-test-mock -e session-token-xyzzy "$tmp/log.jsonl"
check log_masks_the_secrets $?

# A scenario file, a later --latency replacing its latency, the log on stdout.
echo '{"latency_ms": {"min": 1, "max": 2}, "sequence": [{"fault": "drop"}], "repeat": false}' \
    >"$tmp/scenario.json"
start_mock --scenario "$tmp/scenario.json" --latency 150 --log -
"$cli" delete-external-id "$org" >"$tmp/call.out" 2>&1
check cli_succeeds_after_a_dropped_connection $?
stop_mock
tail -n +2 "$tmp/out" >"$tmp/stdout.jsonl"
[[ $(wc -l <"$tmp/stdout.jsonl") -eq 2 && $(statuses "$tmp/stdout.jsonl") == "null 200 " ]]
check scenario_drop_then_normal_logged_on_stdout $?
(($(min_duration "$tmp/stdout.jsonl") >= 150000))
check latency_flag_delays_every_answer $?

# A slow body: 64 bytes every 20 ms of a body over 1 KB.
start_mock --sequence slow_body:64:20 --log "$tmp/slow.jsonl"
"$cli" delete-external-id "$org" >"$tmp/call.out" 2>&1
check cli_reads_a_slow_body $?
stop_mock
(($(min_duration "$tmp/slow.jsonl") >= 300000))
check slow_body_takes_its_time $?

# HTTP/2 with a GOAWAY at the first request: answered, logged as HTTP/2.
start_mock --http2 --goaway-after 1 --log "$tmp/h2.jsonl"
STYTCH_HTTP_VERSION=2 "$cli" delete-external-id "$org" >"$tmp/call.out" 2>&1
check cli_succeeds_over_http2_with_goaway $?
stop_mock
grep -q '"protocol":"HTTP/2".*"status":200' "$tmp/h2.jsonl"
check h2_request_logged $?

[[ $failed -eq 0 ]] || cat "$tmp/call.out" "$tmp/mock.err" "$tmp"/*.jsonl 2>/dev/null
summary
