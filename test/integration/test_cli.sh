#!/usr/bin/env bash
# The stytch-b2b CLI against the stytch-mock binary: output and exit status of each outcome.
set -u
cli=$1
mock=$2
version=$3
tmp=$(mktemp -d)
trap 'kill $mock_pid 2>/dev/null; rm -rf "$tmp"' EXIT

mkfifo "$tmp/out"
"$mock" --port 0 --ca-out "$tmp/ca.pem" >"$tmp/out" &
mock_pid=$!
read -r -t 30 line <"$tmp/out" || { echo "FAIL: stytch-mock did not start"; exit 1; }
url=${line#listening on }

export STYTCH_PROJECT_ID=project-test-11111111-2222-3333-4444-555555555555
export STYTCH_SECRET=secret-test-mock
export STYTCH_BASE_URL=$url STYTCH_CA_FILE=$tmp/ca.pem
org=organization-test-07971b06-ac8b-4cdb-9c15-63b17e653931

passed=0 failed=0
# expect NAME STATUS STDOUT_PATTERN STDERR_PATTERN -- command...
expect() {
    local name=$1 want=$2 out_re=$3 err_re=$4
    shift 5
    "$@" >"$tmp/stdout" 2>"$tmp/stderr"
    local got=$?
    local ok=1
    [[ $got -eq $want ]] || ok=0
    grep -Eq -- "$out_re" "$tmp/stdout" || [[ -z $out_re && ! -s $tmp/stdout ]] || ok=0
    grep -Eq -- "$err_re" "$tmp/stderr" || [[ -z $err_re && ! -s $tmp/stderr ]] || ok=0
    if grep -q "secret-test" "$tmp/stdout" "$tmp/stderr"; then ok=0; echo "secret leaked"; fi
    if ((ok)); then
        passed=$((passed + 1)); echo "ok   $name"
    else
        failed=$((failed + 1)); echo "FAIL $name: status $got (want $want)"
        sed 's/^/  stdout: /' "$tmp/stdout"; sed 's/^/  stderr: /' "$tmp/stderr"
    fi
}

expect success 0 "\"organization_id\":\"$org\".*|\"request_id\":\"request-id" "" -- \
    "$cli" delete-external-id "$org"
expect one_json_line 0 '^\{.*"status_code":200.*"organization_external_id":null' "" -- \
    "$cli" delete-external-id "$org" --session-token tok
expect api_error 1 '"status_code":404.*"error_type":"organization_not_found"' "" -- \
    "$cli" delete-external-id organization-test-missing
STYTCH_SECRET=secret-test-wrong expect bad_secret 1 '"error_type":"unauthorized_credentials"' "" -- \
    "$cli" delete-external-id "$org"
expect help 0 "usage: stytch-b2b" "" -- "$cli" --help
expect no_args 2 "" "stytch-b2b: " -- "$cli"
expect missing_id 2 "" "ORGANIZATION_ID" -- "$cli" delete-external-id
expect both_sessions 2 "" "mutually exclusive" -- \
    "$cli" delete-external-id "$org" --session-token a --session-jwt b
expect unknown_option 2 "" "unknown option" -- "$cli" delete-external-id "$org" --bogus
expect header_injection 2 "" "invalid request" -- \
    "$cli" delete-external-id "$org" --session-token $'a\r\nX-Evil: 1'
STYTCH_PROJECT_ID= expect no_project 2 "" "configuration: STYTCH_PROJECT_ID is empty" -- \
    "$cli" delete-external-id "$org"
STYTCH_SECRET= expect no_secret 2 "" "configuration: STYTCH_SECRET is empty" -- \
    "$cli" delete-external-id "$org"
STYTCH_BASE_URL=http://127.0.0.1:1 expect http_refused 2 "" "STYTCH_BASE_URL must use https" -- \
    "$cli" delete-external-id "$org"
STYTCH_BASE_URL=https:// expect bad_url 2 "" "STYTCH_BASE_URL is not a valid https://" -- \
    "$cli" delete-external-id "$org"
STYTCH_CLIENT_KEY=/k expect key_alone 2 "" "STYTCH_CLIENT_KEY is set but STYTCH_CLIENT_CERT" -- \
    "$cli" delete-external-id "$org"
STYTCH_CA_FILE=$tmp/none.pem expect unreadable_ca 2 "" "STYTCH_CA_FILE: cannot read '$tmp/none.pem'" \
    -- "$cli" delete-external-id "$org"
STYTCH_TIMEOUT_MS=abc expect bad_timeout 2 "" "STYTCH_TIMEOUT_MS" -- "$cli" delete-external-id "$org"
STYTCH_CA_FILE= expect untrusted 3 "" \
    "request failed: failed during the TLS handshake with ${url#https://}: .*certificate verify failed.*set STYTCH_CA_FILE" \
    -- "$cli" delete-external-id "$org"
STYTCH_BASE_URL=https://127.0.0.1:1 expect refused 3 "" \
    "request failed: failed connecting to 127.0.0.1:1: .*\(3 attempts\)$" -- \
    "$cli" delete-external-id "$org"

STYTCH_HTTP_VERSION=1.1 expect http_1_1 0 '"status_code":200' "" -- \
    "$cli" delete-external-id "$org"
STYTCH_HTTP_VERSION=auto expect http_auto 0 '"status_code":200' "" -- \
    "$cli" delete-external-id "$org"
STYTCH_HTTP_VERSION=2 expect http_2_not_selected 3 "" "request failed: .*did not select h2" -- \
    "$cli" delete-external-id "$org"
STYTCH_HTTP_VERSION=3 expect http_bad_version 2 "" "STYTCH_HTTP_VERSION must be" -- \
    "$cli" delete-external-id "$org"

# stytch-mock's error line alone (its usage text shows the default secret).
mock_error() { "$mock" "$@" 2>&1 >/dev/null | sed -n 1p >&2; return "${PIPESTATUS[0]}"; }
expect mock_bad_delay 2 "" "--delay-ms: not a number" -- mock_error --delay-ms 12x
expect mock_delay_too_long 2 "" "--delay-ms: not a number" -- mock_error --delay-ms 3600001

# stytch-mock --delay-ms: the answer comes no sooner than the delay.
mkfifo "$tmp/slow_out"
"$mock" --port 0 --ca-out "$tmp/slow_ca.pem" --delay-ms 400 >"$tmp/slow_out" &
slow_pid=$!
trap 'kill $mock_pid $slow_pid 2>/dev/null; rm -rf "$tmp"' EXIT
read -r -t 30 line <"$tmp/slow_out" || { echo "FAIL: stytch-mock --delay-ms did not start"; exit 1; }
start=$(date +%s%N)
STYTCH_BASE_URL=${line#listening on } STYTCH_CA_FILE=$tmp/slow_ca.pem expect mock_delay 0 \
    '"status_code":200' "" -- "$cli" delete-external-id "$org"
elapsed_ms=$((($(date +%s%N) - start) / 1000000))
if ((elapsed_ms >= 400)); then
    passed=$((passed + 1)); echo "ok   mock_delay_waits ($elapsed_ms ms)"
else
    failed=$((failed + 1)); echo "FAIL mock_delay_waits: answered after $elapsed_ms ms (< 400)"
fi

# --version, and suggestions for typos
expect version 0 "^stytch-b2b $version\$" "" -- "$cli" --version
expect command_typo 2 "" "unknown command 'delete-externl-id'; did you mean 'delete-external-id'\?" \
    -- "$cli" delete-externl-id "$org"
expect option_typo 2 "" "unknown option '--sesion-token'; did you mean '--session-token'\?" \
    -- "$cli" delete-external-id "$org" --sesion-token=tok-typo-value
if grep -q tok-typo-value "$tmp/stderr"; then echo "FAIL option_typo: the value was echoed"; failed=$((failed + 1)); fi

# --verbose: one line per attempt on stderr, the same stdout
expect verbose 0 "\"organization_id\":\"$org\"" \
    "^stytch-b2b: attempt 1: HTTP 200 in [0-9]+\.[0-9] ms on a new connection$" -- \
    "$cli" delete-external-id "$org" --verbose --session-token tok-verbose-canary
if grep -q tok-verbose-canary "$tmp/stdout" "$tmp/stderr"; then
    echo "FAIL verbose: the session token was printed"; failed=$((failed + 1))
fi
STYTCH_BASE_URL=https://127.0.0.1:1 expect verbose_retries 3 "" \
    "attempt 2 \(retry after Connection refused\): failed connecting to 127.0.0.1:1 in" -- \
    "$cli" --verbose delete-external-id "$org"
[[ $(grep -c "^stytch-b2b: attempt" "$tmp/stderr") -eq 3 ]] || {
    echo "FAIL verbose_retries: not one line per attempt"; failed=$((failed + 1)); }

# stytch-mock --http2: selects h2 when offered (STYTCH_HTTP_VERSION=2 and auto get their answer
# over HTTP/2), and answers HTTP/1.1 to a client that offers only http/1.1.
mock_help_line() { "$mock" --help | grep -e "$1"; }  # the whole text shows the default secret
expect mock_help_http2 0 "--http2 .*h2" "" -- mock_help_line --http2
mkfifo "$tmp/h2_out"
"$mock" --port 0 --ca-out "$tmp/h2_ca.pem" --http2 >"$tmp/h2_out" &
h2_pid=$!
trap 'kill $mock_pid $slow_pid $h2_pid 2>/dev/null; rm -rf "$tmp"' EXIT
read -r -t 30 line <"$tmp/h2_out" || { echo "FAIL: stytch-mock --http2 did not start"; exit 1; }
STYTCH_BASE_URL=${line#listening on } STYTCH_CA_FILE=$tmp/h2_ca.pem STYTCH_HTTP_VERSION=2 \
    expect mock_http2_selected 0 '"status_code":200' "" -- "$cli" delete-external-id "$org"
STYTCH_BASE_URL=${line#listening on } STYTCH_CA_FILE=$tmp/h2_ca.pem STYTCH_HTTP_VERSION=auto \
    expect mock_http2_auto 0 '"status_code":200' "" -- "$cli" delete-external-id "$org"
STYTCH_BASE_URL=${line#listening on } STYTCH_CA_FILE=$tmp/h2_ca.pem STYTCH_HTTP_VERSION=1.1 \
    expect mock_http2_serves_1_1 0 '"status_code":200' "" -- "$cli" delete-external-id "$org"

echo "$passed passed, $failed failed"
((failed == 0))
