#!/usr/bin/env bash
# Interop with nginx: the stytch-b2b CLI (the library underneath) against a real TLS server
# no one here wrote. nginx answers the API's JSON (200, 401, 404, 500) and an HTML 502; its
# access log shows exactly what it received.
# Usage: test_nginx.sh STYTCH_B2B
set -u
cli=$1
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=nginx_lib.sh
source "$here/nginx_lib.sh"
tmp=$(mktemp -d)
trap 'nginx_stop; rm -rf "$tmp"' EXIT

nginx_start "$tmp/nginx" "$here/ok_response.json" || exit 1
echo "nginx at $nginx_url"

export STYTCH_PROJECT_ID=project-test-nginx-interop
export STYTCH_SECRET=secret-test-nginx
export STYTCH_BASE_URL=$nginx_url STYTCH_CA_FILE=$nginx_ca
basic="Basic $(printf '%s' "$STYTCH_PROJECT_ID:$STYTCH_SECRET" | base64 -w0)"
api=/v1/b2b/organizations

passed=0 failed=0
fail() { failed=$((failed + 1)); echo "FAIL $name: $*"; }

# Waits until the access log has N lines (nginx logs after answering).
log_lines() {
    local n=$1
    for _ in $(seq 50); do
        (($(wc -l <"$nginx_log") >= n)) && return 0
        sleep 0.1
    done
    return 1
}

# call NAME EXIT_STATUS REQUESTS_LOGGED STDOUT_PATTERN -- CLI_ARGS... ; then `seen FIELD VALUE`
call() {
    name=$1
    local want=$2 requests=$3 out_re=$4
    shift 5
    local before
    before=$(wc -l <"$nginx_log")
    "$cli" "$@" >"$tmp/stdout" 2>"$tmp/stderr"
    local got=$?
    local bad_before=$failed
    [[ $got -eq $want ]] || fail "exit status $got, want $want"
    grep -Eq -- "$out_re" "$tmp/stdout" || fail "stdout does not match $out_re"
    if ! log_lines $((before + requests)); then
        fail "nginx logged fewer than $requests request(s)"
    fi
    local logged=$(($(wc -l <"$nginx_log") - before))
    ((logged == requests)) || fail "nginx logged $logged request(s), want $requests"
    if ((failed == bad_before)); then passed=$((passed + 1)); echo "ok   $name"; else
        sed 's/^/  stdout: /' "$tmp/stdout"; sed 's/^/  stderr: /' "$tmp/stderr"
        tail -n 3 "$nginx_log" | sed 's/^/  nginx: /'
    fi
}

# seen FIELD VALUE: the last logged request had FIELD == VALUE exactly.
seen() {
    local line
    line=$(nginx_last_request)
    if [[ $line != *"\"$1\":\"$2\""* ]]; then
        fail "nginx saw $1 other than '$2': $line"
        passed=$((passed - 1))
    fi
}

ua="Stytch C++ v$(sed -n 's/^project(stytch VERSION \([0-9.]*\).*/\1/p' "$here/../../CMakeLists.txt")"

call success 0 1 '^\{"request_id":"request-id-test-nginx-0001","status_code":200,"organization":\{"organization_id":"organization-test-nginx-ok"' \
    -- delete-external-id organization-test-nginx-ok
seen method DELETE
seen uri "$api/organization-test-nginx-ok/external_id"
seen authorization "$basic"
seen member_session ""
seen member_session_jwt ""
seen content_type application/json
seen user_agent "$ua"
seen content_length 0
seen status 200

call session_token 0 1 '"status_code":200' -- \
    delete-external-id organization-test-nginx-ok --session-token session-token-test-abc
seen member_session session-token-test-abc
seen member_session_jwt ""
seen authorization "$basic"

call session_jwt 0 1 '"status_code":200' -- \
    delete-external-id organization-test-nginx-ok --session-jwt eyJhbGciOiJSUzI1NiJ9.e30.c2ln
seen member_session_jwt eyJhbGciOiJSUzI1NiJ9.e30.c2ln
seen member_session ""

call percent_encoded_id 0 1 '"status_code":200' -- delete-external-id $'org id/\xc3\xa9'
seen uri "$api/org%20id%2F%C3%A9/external_id"

call not_found 1 1 '^\{"status_code":404,"request_id":"request-id-test-nginx-404","error_type":"organization_not_found"' \
    -- delete-external-id organization-test-nginx-missing
seen status 404

call unauthorized 1 1 '"status_code":401.*"error_type":"unauthorized_credentials"' -- \
    delete-external-id organization-test-nginx-401
seen status 401

# 500 is not retried by default: one request.
call internal_error 1 1 '"status_code":500.*"error_type":"internal_server_error"' -- \
    delete-external-id organization-test-nginx-500
seen status 500

# 502 is retried (3 attempts by default); the HTML body still gives an API error with status.
call bad_gateway_html 1 3 '"status_code":502' -- delete-external-id organization-test-nginx-502
seen status 502

# The secret never leaves in clear text.
name=secret_not_logged
if grep -q "$STYTCH_SECRET" "$nginx_log"; then fail "secret in the access log"; else
    passed=$((passed + 1)); echo "ok   $name"; fi

echo "$passed passed, $failed failed"
((failed == 0))
