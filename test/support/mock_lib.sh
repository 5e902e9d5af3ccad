# Sourced (not run) by the scripts that run the stytch-mock executable (mock_binary,
# mock_installed, bench_open_loop, examples), which each set `mock` to the executable first:
# a scratch directory $tmp removed on exit with the mock still running, the credentials the
# mock accepts, counted checks, and start_mock/stop_mock.
tmp=$(mktemp -d)
mock_pid=
trap '[[ -n $mock_pid ]] && kill "$mock_pid" 2>/dev/null; rm -rf "$tmp"' EXIT

# What the mock's sample seed accepts and serves (tools/stytch-mock/data).
mock_project_id=project-test-11111111-2222-3333-4444-555555555555
mock_secret=secret-test-mock
acme_org=organization-test-07971b06-ac8b-4cdb-9c15-63b17e653931

# use_mock_credentials: the CLI and the examples read these; the CA is the one start_mock writes.
use_mock_credentials() {
    export STYTCH_PROJECT_ID=$mock_project_id STYTCH_SECRET=$mock_secret
    export STYTCH_CA_FILE=$tmp/ca.pem
}

passed=0 failed=0
check() {  # check NAME CONDITION-STATUS [DETAIL]
    if [[ $2 -eq 0 ]]; then passed=$((passed + 1)); echo "ok   $1"; else
        failed=$((failed + 1)); echo "FAIL $1${3:+ $3}"; fi
}
# summary: the counts, and the script's status (0 when nothing failed).
summary() {
    echo "$passed passed, $failed failed"
    ((failed == 0))
}

# start_mock ARGS...: runs "$mock" with stdout in $tmp/out and stderr in $tmp/mock.err, and
# exports STYTCH_BASE_URL once it printed its "listening" line (polled: the line is the
# condition, not the time; 30 s at most). On failure prints its stderr and returns 1.
start_mock() {
    : >"$tmp/out"
    "$mock" --port 0 --ca-out "$tmp/ca.pem" "$@" >"$tmp/out" 2>"$tmp/mock.err" &
    mock_pid=$!
    local line
    for _ in $(seq 300); do
        line=$(head -1 "$tmp/out")
        [[ $line == listening* ]] && { export STYTCH_BASE_URL=${line#listening on }; return 0; }
        kill -0 "$mock_pid" 2>/dev/null || break
        sleep 0.1
    done
    cat "$tmp/mock.err"
    return 1
}
stop_mock() {
    kill "$mock_pid"; wait "$mock_pid" 2>/dev/null; mock_pid=
}
