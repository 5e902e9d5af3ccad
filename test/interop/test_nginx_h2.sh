#!/usr/bin/env bash
# Interop over HTTP/2 with nginx (Debian nginx-light 1.22, `listen ... ssl http2`): the CLI and
# the library (through stytch-bench, which uses only the public API) choose the protocol by
# ALPN; nginx's access log shows the protocol of each request and the connection it came on.
#
#   h2        nginx offers h2: STYTCH_HTTP_VERSION=2, auto and unset make the call over
#             HTTP/2.0 (1.1 over HTTP/1.1); API errors and retries over h2; 600 calls, 100 in
#             flight, on at most 2 connections, all over HTTP/2.0; 2500 calls through the
#             GOAWAY nginx sends after 1000 requests on a connection, none failing.
#   fallback  nginx with http2 off: auto and unset fall back to HTTP/1.1; `2` fails in the TLS
#             handshake (nginx >= 1.21.4 rejects a handshake whose ALPN offer it cannot meet)
#             with exit status 3, one attempt, and nothing reaches nginx.
#
# Usage: test_nginx_h2.sh h2|fallback STYTCH_B2B STYTCH_BENCH
set -u
mode=$1 cli=$2 bench=$3
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=nginx_lib.sh
source "$here/nginx_lib.sh"
tmp=$(mktemp -d)
trap 'nginx_stop; rm -rf "$tmp"' EXIT

case $mode in
    h2) nginx_http2=1 ;;
    fallback) nginx_http2= ;;
    *) echo "usage: $0 h2|fallback STYTCH_B2B STYTCH_BENCH"; exit 2 ;;
esac
nginx_start "$tmp/nginx" "$here/ok_response.json" || exit 1
echo "nginx (mode $mode: listen ... ssl${nginx_http2:+ http2}) at $nginx_url"

export STYTCH_PROJECT_ID=project-test-nginx-h2
export STYTCH_SECRET=secret-test-nginx-h2
export STYTCH_BASE_URL=$nginx_url STYTCH_CA_FILE=$nginx_ca
unset STYTCH_HTTP_VERSION https_proxy HTTPS_PROXY
basic="Basic $(printf '%s' "$STYTCH_PROJECT_ID:$STYTCH_SECRET" | base64 -w0)"
ok_org=organization-test-nginx-ok
api=/v1/b2b/organizations

passed=0 failed=0
fail() { failed=$((failed + 1)); echo "FAIL $name: $*"; }
begin() { name=$1 bad_before=$failed before=$(wc -l <"$nginx_log"); }
end() {
    if ((failed == bad_before)); then passed=$((passed + 1)); echo "ok   $name"; else
        cut -c 1-200 "$tmp/stdout" | sed 's/^/  stdout: /'
        tail -n 5 "$tmp/stderr" | sed 's/^/  stderr: /'
        tail -n 3 "$nginx_log" | sed 's/^/  nginx: /'
    fi
}

# expect_logged N: nginx logged exactly N requests since `begin` (it logs after answering).
expect_logged() {
    local n=$1
    for _ in $(seq 100); do (($(wc -l <"$nginx_log") >= before + n)) && break; sleep 0.1; done
    local logged=$(($(wc -l <"$nginx_log") - before))
    ((logged == n)) || fail "nginx logged $logged request(s), want $n"
}

# new_lines: the access-log lines since `begin`.
new_lines() { sed -n "$((before + 1)),\$p" "$nginx_log"; }

# all_have FIELD VALUE: every line since `begin` has FIELD == VALUE exactly.
all_have() {
    local others
    others=$(new_lines | grep -cv "\"$1\":\"$2\"")
    ((others == 0)) ||
        fail "$others request(s) with $1 other than '$2', e.g. $(new_lines | grep -v "\"$1\":\"$2\"" | head -n 1 | cut -c 1-300)"
}

# connections_at_most N: the lines since `begin` came on at most N TCP connections.
connections_at_most() {
    local seen
    seen=$(new_lines | grep -o '"connection":"[0-9]*"' | sort -u | wc -l)
    ((seen >= 1 && seen <= $1)) || fail "the requests came on $seen connections, want 1 to $1"
    echo "     ($seen connection(s))"
}

# matches FILE PATTERN: FILE has a line matching PATTERN; an empty PATTERN: FILE is empty.
matches() { if [[ -z $2 ]]; then [[ ! -s $1 ]]; else grep -Eq -- "$2" "$1"; fi; }

# cli VERSION EXIT STDOUT_PATTERN STDERR_PATTERN ARGS...: the CLI with STYTCH_HTTP_VERSION=VERSION
# ("-" leaves it unset) exits EXIT and its stdout and stderr match the patterns ("": empty).
cli() {
    local version=$1 want=$2 out_re=$3 err_re=$4
    shift 4
    if [[ $version == - ]]; then
        "$cli" "$@" >"$tmp/stdout" 2>"$tmp/stderr"
    else
        STYTCH_HTTP_VERSION=$version "$cli" "$@" >"$tmp/stdout" 2>"$tmp/stderr"
    fi
    local got=$?
    ((got == want)) || fail "exit status $got, want $want"
    matches "$tmp/stdout" "$out_re" || fail "stdout does not match '${out_re:-(empty)}'"
    matches "$tmp/stderr" "$err_re" || fail "stderr does not match '${err_re:-(empty)}'"
}

# bench VERSION CALLS: CALLS calls through the library, 100 in flight, max_connections 2.
bench() {
    "$bench" --url "$nginx_url" --ca-file "$nginx_ca" --project-id "$STYTCH_PROJECT_ID" \
        --secret "$STYTCH_SECRET" --org "$ok_org" --http-version "$1" --connections 2 \
        --concurrency 100 --requests "$2" >"$tmp/stdout" 2>"$tmp/stderr"
}

# bench_succeeded CALLS: stytch-bench reported CALLS successful calls and no error.
bench_succeeded() {
    grep -Eq "^requests +$1 ok, 0 errors in" "$tmp/stdout" ||
        fail "stytch-bench: $(grep -E '^(requests|first error)' "$tmp/stdout" | tr -s ' ' | paste -sd ';')"
}

success='^\{"request_id":"request-id-test-nginx-0001","status_code":200,"organization":\{"organization_id":"organization-test-nginx-ok"'

if [[ $mode == h2 ]]; then
    for version in 2 auto -; do
        begin "cli_over_h2_http_version_$version"
        cli "$version" 0 "$success" "" delete-external-id "$ok_org"
        expect_logged 1
        all_have protocol HTTP/2.0
        all_have method DELETE
        all_have uri "$api/$ok_org/external_id"
        all_have authorization "$basic"
        all_have content_type application/json
        all_have status 200
        end
    done

    begin cli_over_h2_session_token
    cli 2 0 '"status_code":200' "" delete-external-id "$ok_org" --session-token session-token-h2
    expect_logged 1
    all_have protocol HTTP/2.0
    all_have member_session session-token-h2
    end

    begin cli_over_h2_api_error
    cli 2 1 '^\{"status_code":404,"request_id":"request-id-test-nginx-404","error_type":"organization_not_found"' \
        "" delete-external-id organization-test-nginx-missing
    expect_logged 1
    all_have protocol HTTP/2.0
    all_have status 404
    end

    # 502 is retried (3 attempts), each over h2; the HTML body still gives the status.
    begin cli_over_h2_retries
    cli 2 1 '"status_code":502' "" delete-external-id organization-test-nginx-502
    expect_logged 3
    all_have protocol HTTP/2.0
    all_have status 502
    end

    begin cli_http_version_1_1_on_an_h2_server
    cli 1.1 0 "$success" "" delete-external-id "$ok_org"
    expect_logged 1
    all_have protocol HTTP/1.1
    end

    for version in 2 auto; do
        begin "library_600_calls_on_2_connections_http_version_$version"
        bench "$version" 600
        bench_succeeded 600
        expect_logged 600
        all_have protocol HTTP/2.0
        all_have status 200
        connections_at_most 2
        end
    done

    # nginx ends an h2 connection after keepalive_requests (1000 by default) with a GOAWAY;
    # the calls it did not take go on another connection, none fails.
    begin library_2500_calls_through_nginx_goaways
    bench 2 2500
    bench_succeeded 2500
    expect_logged 2500
    all_have protocol HTTP/2.0
    all_have status 200
    goaways=$(new_lines | grep -o '"connection":"[0-9]*"' | sort -u | wc -l)
    ((goaways >= 3)) || fail "the requests came on $goaways connections, want at least 3"
    echo "     ($goaways connections)"
    end
else
    # Nothing may reach nginx: the next call's request is the only line logged.
    begin cli_http_version_2_without_h2_fails_before_sending
    cli 2 3 "" '^stytch-b2b: request failed: failed during the TLS handshake with 127\.0\.0\.1:[0-9]+: .*did not select h2' \
        --verbose delete-external-id "$ok_org"
    attempts=$(grep -c '^stytch-b2b: attempt' "$tmp/stderr")
    ((attempts == 1)) || fail "$attempts attempts, want 1 (not retried)"
    cli auto 0 "$success" "" delete-external-id "$ok_org"
    expect_logged 1
    end

    for version in auto -; do
        begin "cli_falls_back_to_http_1_1_http_version_$version"
        cli "$version" 0 "$success" "" delete-external-id "$ok_org"
        expect_logged 1
        all_have protocol HTTP/1.1
        all_have content_length 0
        end
    done

    begin library_falls_back_to_http_1_1_on_2_connections
    bench auto 300
    bench_succeeded 300
    expect_logged 300
    all_have protocol HTTP/1.1
    connections_at_most 2
    end

    begin library_http_version_2_without_h2_sends_nothing
    bench 2 20
    grep -Eq "^requests +0 ok, 20 errors in" "$tmp/stdout" ||
        fail "stytch-bench: $(grep -E '^requests' "$tmp/stdout")"
    cli auto 0 "$success" "" delete-external-id "$ok_org"
    expect_logged 1
    end
fi

echo "$passed passed, $failed failed"
((failed == 0))
