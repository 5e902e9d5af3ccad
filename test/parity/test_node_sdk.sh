#!/usr/bin/env bash
# Wire parity with the official Node SDK: the same DeleteExternalId calls through the npm
# package `stytch` and through stytch-b2b, to one recording server (nginx, see
# ../interop/nginx_lib.sh). Asserts the same method, path, Authorization, member-session
# headers and Content-Type, and the same outcome. The SDK is installed from the npm registry
# into CACHE_DIR (once); without npm or the registry the test fails, it is never skipped.
# Usage: test_node_sdk.sh STYTCH_B2B CACHE_DIR
set -u
cli=$1
cache=$(realpath -m "$2")
sdk_version=14.2.0
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../interop/nginx_lib.sh
source "$here/../interop/nginx_lib.sh"
tmp=$(mktemp -d)
trap 'nginx_stop; rm -rf "$tmp"' EXIT

command -v node >/dev/null && command -v npm >/dev/null ||
    { echo "FAIL: node and npm are needed (Node 20)"; exit 1; }
installed=$(node -p "require('$cache/node_modules/stytch/package.json').version" 2>/dev/null)
if [[ $installed != "$sdk_version" ]]; then
    echo "installing stytch@$sdk_version from the npm registry into $cache"
    mkdir -p "$cache"
    if ! timeout 300 npm install --prefix "$cache" --no-audit --no-fund --loglevel=error \
        "stytch@$sdk_version" >"$tmp/npm.log" 2>&1; then
        echo "FAIL: npm install stytch@$sdk_version failed (is the npm registry reachable?):"
        tail -n 20 "$tmp/npm.log"
        exit 1
    fi
fi

nginx_start "$tmp/nginx" "$here/../interop/ok_response.json" || exit 1
echo "recording server (nginx) at $nginx_url"

export STYTCH_PROJECT_ID=project-test-parity
export STYTCH_SECRET=secret-test-parity
export STYTCH_BASE_URL=$nginx_url STYTCH_CA_FILE=$nginx_ca
export NODE_EXTRA_CA_CERTS=$nginx_ca NODE_PATH=$cache/node_modules

passed=0 failed=0

# field NAME LINE: the value of "NAME" in one access-log line.
field() { sed -n "s/.*\"$1\":\"\\([^\"]*\\)\".*/\\1/p" <<<"$2"; }

# wait_lines N: until the access log has N lines.
wait_lines() {
    for _ in $(seq 50); do (($(wc -l <"$nginx_log") >= $1)) && return 0; sleep 0.1; done
    return 1
}

# compare NAME ORG_ID [token T | jwt J]
compare() {
    local name=$1 org=$2 kind=${3:-} cred=${4:-}
    local ok=1 n
    n=$(wc -l <"$nginx_log")
    node "$here/sdk_call.js" "$org" $kind $cred >"$tmp/sdk.out" 2>"$tmp/sdk.err"
    local sdk_status=$?
    wait_lines $((n + 1)) || { echo "FAIL $name: the SDK's request did not arrive"; cat "$tmp/sdk.err"; failed=$((failed + 1)); return; }
    local sdk_line cli_line
    sdk_line=$(sed -n "$((n + 1))p" "$nginx_log")
    local cli_args=(delete-external-id "$org")
    [[ $kind == token ]] && cli_args+=(--session-token "$cred")
    [[ $kind == jwt ]] && cli_args+=(--session-jwt "$cred")
    "$cli" "${cli_args[@]}" >"$tmp/cli.out" 2>"$tmp/cli.err"
    local cli_status=$?
    wait_lines $((n + 2)) || { echo "FAIL $name: the CLI's request did not arrive"; cat "$tmp/cli.err"; failed=$((failed + 1)); return; }
    cli_line=$(sed -n "$((n + 2))p" "$nginx_log")
    (($(wc -l <"$nginx_log") == n + 2)) || { ok=0; echo "  more than one request each"; }

    local f
    for f in method uri authorization member_session member_session_jwt content_type status; do
        if [[ $(field "$f" "$sdk_line") != "$(field "$f" "$cli_line")" ]]; then
            ok=0
            echo "  $f differs: SDK '$(field "$f" "$sdk_line")', CLI '$(field "$f" "$cli_line")'"
        fi
    done
    # The same outcome: status and organization id or error type.
    local sdk_out cli_out
    sdk_out=$(cat "$tmp/sdk.out")
    if [[ $sdk_out == '{"ok":true'* ]]; then
        ((cli_status == 0)) || { ok=0; echo "  SDK succeeded, CLI exited $cli_status"; }
        local id
        id=$(sed -n 's/.*"organization_id":"\([^"]*\)".*/\1/p' <<<"$sdk_out")
        grep -q "\"organization\":{\"organization_id\":\"$id\"" "$tmp/cli.out" ||
            { ok=0; echo "  organization differs"; }
    elif [[ $sdk_out == '{"ok":false'* ]]; then
        ((cli_status == 1)) || { ok=0; echo "  SDK got an API error, CLI exited $cli_status"; }
        local type
        type=$(sed -n 's/.*"error_type":"\([^"]*\)".*/\1/p' <<<"$sdk_out")
        grep -q "\"error_type\":\"$type\"" "$tmp/cli.out" || { ok=0; echo "  error_type differs"; }
    else
        ok=0
        echo "  SDK failed (exit $sdk_status): $(cat "$tmp/sdk.err")"
    fi
    # The differences that remain (documented in README): body and User-Agent.
    [[ $(field content_length "$sdk_line") == 2 && $(field content_length "$cli_line") == 0 ]] ||
        { ok=0; echo "  Content-Length: SDK '$(field content_length "$sdk_line")' (want 2, body {}), CLI '$(field content_length "$cli_line")' (want 0)"; }
    [[ $(field user_agent "$sdk_line") == "Stytch Node v$sdk_version" ]] ||
        { ok=0; echo "  SDK User-Agent '$(field user_agent "$sdk_line")'"; }
    if ((ok)); then
        passed=$((passed + 1)); echo "ok   $name"
    else
        failed=$((failed + 1)); echo "FAIL $name"
        echo "  sdk: $sdk_line"; echo "  cli: $cli_line"
    fi
}

compare no_member_auth organization-test-nginx-ok
compare session_token organization-test-nginx-ok token session-token-test-parity
compare session_jwt organization-test-nginx-ok jwt eyJhbGciOiJSUzI1NiJ9.e30.c2ln
compare percent_encoded_id $'org id/\xc3\xa9' token session-token-test-parity
compare not_found organization-test-nginx-missing
compare unauthorized organization-test-nginx-401

echo "$passed passed, $failed failed"
((failed == 0))
