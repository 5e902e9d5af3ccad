#!/usr/bin/env bash
# Runs example_prometheus_exporter against the stytch-mock binary, fetches its /metrics page
# and checks the figures: the call counter equals the calls made, the histogram counts them.
# Usage: run_prometheus_example.sh EXPORTER STYTCH_MOCK
set -u
exporter=$1
mock=$2
tmp=$(mktemp -d)
mock_pid= exporter_pid=
trap '[[ -n $exporter_pid ]] && kill "$exporter_pid" 2>/dev/null
      [[ -n $mock_pid ]] && kill "$mock_pid" 2>/dev/null; rm -rf "$tmp"' EXIT
fail() { echo "FAIL: $*"; [[ -f $tmp/metrics ]] && sed 's/^/  /' "$tmp/metrics"; exit 1; }

mkfifo "$tmp/mock_out" "$tmp/out"
"$mock" --port 0 --ca-out "$tmp/ca.pem" >"$tmp/mock_out" &
mock_pid=$!
read -r -t 30 line <"$tmp/mock_out" || fail "stytch-mock did not start"
export STYTCH_PROJECT_ID=project-test-11111111-2222-3333-4444-555555555555
export STYTCH_SECRET=secret-test-mock
export STYTCH_BASE_URL=${line#listening on } STYTCH_CA_FILE=$tmp/ca.pem
acme=organization-test-07971b06-ac8b-4cdb-9c15-63b17e653931
calls=25

"$exporter" "$acme" "$calls" >"$tmp/out" &
exporter_pid=$!
exec 3<"$tmp/out"
read -r -t 30 made <&3 || fail "the exporter printed nothing"
[[ $made == "made $calls calls, $calls succeeded" ]] || fail "unexpected: $made"
read -r -t 30 url <&3 || fail "the exporter printed no URL"
url=${url#metrics at }
curl -sS --max-time 10 "$url" >"$tmp/metrics" || fail "cannot fetch $url"

# expect_line REGEX: a line of the page matches.
expect_line() { grep -Eq -- "$1" "$tmp/metrics" || fail "no line matches: $1"; }
expect_line "^# TYPE stytch_calls_started_total counter$"
expect_line "^stytch_calls_started_total $calls$"
expect_line "^stytch_calls_completed_total\{result=\"success\"\} $calls$"
expect_line "^stytch_calls_completed_total\{result=\"api_error\"\} 0$"
expect_line "^stytch_attempts_total $calls$"
expect_line "^stytch_connections_opened_total 1$"
expect_line "^stytch_connections_reused_total $((calls - 1))$"
expect_line "^stytch_calls_in_flight 0$"
expect_line "^stytch_connections_idle 1$"
expect_line "^# TYPE stytch_call_duration_seconds histogram$"
expect_line "^stytch_call_duration_seconds_count $calls$"
expect_line "^stytch_call_duration_seconds_bucket\{le=\"\+Inf\"\} $calls$"
buckets=$(grep -c '^stytch_call_duration_seconds_bucket' "$tmp/metrics")
((buckets == 29)) || fail "$buckets buckets for the call duration, not 1 µs .. 2^27 µs and +Inf"
expect_line "^stytch_connection_wait_seconds_count $calls$"
expect_line "^stytch_retries_total\{reason=\"status\"\} 0$"

kill -TERM "$exporter_pid"
wait "$exporter_pid"
status=$?
exporter_pid=
((status == 0)) || fail "the exporter exited with status $status after SIGTERM"
echo "ok   prometheus exporter: $(grep -c '^stytch_' "$tmp/metrics") samples checked at $url"
