#!/usr/bin/env bash
# Interop with a real proxy: the stytch-b2b CLI (the library underneath) reaches nginx through
# tinyproxy, configured from HTTPS_PROXY / https_proxy / NO_PROXY as curl reads them; with
# Basic authentication on the proxy, right credentials pass and wrong or missing ones give
# proxy_refused. tinyproxy's log shows each CONNECT, nginx's log each request.
# Usage: test_proxy.sh STYTCH_B2B
set -u
cli=$1
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=nginx_lib.sh
source "$here/nginx_lib.sh"
# shellcheck source=tinyproxy_lib.sh
source "$here/tinyproxy_lib.sh"
tmp=$(mktemp -d)
open_proxy=() auth_proxy=()
stop_all() {
    local pid
    for pid in "${open_proxy[@]}" "${auth_proxy[@]}"; do
        kill -TERM "$pid" 2>/dev/null
        wait "$pid" 2>/dev/null
    done
    nginx_stop
    rm -rf "$tmp"
}
trap stop_all EXIT

nginx_start "$tmp/nginx" "$here/ok_response.json" || exit 1
tinyproxy_start "$tmp/open" || exit 1
open_proxy=("$tinyproxy_pid") open_port=$tinyproxy_port open_log=$tinyproxy_log
proxy_password='pr0xy-Pa55'
tinyproxy_start "$tmp/auth" alice "$proxy_password" || exit 1
auth_proxy=("$tinyproxy_pid") auth_port=$tinyproxy_port auth_log=$tinyproxy_log
tinyproxy_pid=
echo "nginx at $nginx_url, tinyproxy at :$open_port and (Basic auth) :$auth_port"

export STYTCH_PROJECT_ID=project-test-proxy-interop
export STYTCH_SECRET=secret-test-proxy
export STYTCH_BASE_URL=$nginx_url STYTCH_CA_FILE=$nginx_ca
unset https_proxy HTTPS_PROXY no_proxy NO_PROXY http_proxy ALL_PROXY all_proxy
org=organization-test-nginx-ok

passed=0 failed=0
fail() { failed=$((failed + 1)); echo "FAIL $name: $*"; }
connects() { grep -c 'Request (file descriptor [0-9]*): CONNECT 127.0.0.1:'"$nginx_port"' ' "$1"; }
wait_lines() {
    for _ in $(seq 50); do (($(wc -l <"$1") >= $2)) && return 0; sleep 0.1; done
    return 1
}

# case_ NAME EXIT REQUESTS OPEN_CONNECTS AUTH_CONNECTS STDERR_PATTERN -- ENV...: runs the CLI
# with ENV; checks its exit status, stderr (empty for an empty pattern), how many requests nginx logged and how many CONNECTs each
# tinyproxy logged, and that nothing printed holds the proxy password.
case_() {
    name=$1
    local want=$2 requests=$3 want_open=$4 want_auth=$5 err_re=$6
    shift 7
    local before open_before auth_before bad_before=$failed
    before=$(wc -l <"$nginx_log")
    open_before=$(connects "$open_log") auth_before=$(connects "$auth_log")
    env "$@" "$cli" delete-external-id "$org" >"$tmp/stdout" 2>"$tmp/stderr"
    local got=$?
    [[ $got -eq $want ]] || fail "exit status $got, want $want"
    if [[ -z $err_re ]]; then
        [[ ! -s $tmp/stderr ]] || fail "stderr is not empty"
    else
        grep -Eq -- "$err_re" "$tmp/stderr" || fail "stderr does not match $err_re"
    fi
    wait_lines "$nginx_log" $((before + requests)) || true
    # tinyproxy logs a CONNECT as it reads it, before answering: it is in the log already.
    local logged=$(($(wc -l <"$nginx_log") - before))
    ((logged == requests)) || fail "nginx logged $logged request(s), want $requests"
    local open=$(($(connects "$open_log") - open_before))
    local auth=$(($(connects "$auth_log") - auth_before))
    ((open == want_open)) || fail "open tinyproxy logged $open CONNECT(s), want $want_open"
    ((auth == want_auth)) || fail "auth tinyproxy logged $auth CONNECT(s), want $want_auth"
    if grep -q -- "$proxy_password" "$tmp/stdout" "$tmp/stderr"; then
        fail "the proxy password was printed"
    fi
    if ((failed == bad_before)); then passed=$((passed + 1)); echo "ok   $name"; else
        cut -c1-200 "$tmp/stdout" | sed 's/^/  stdout: /'; sed 's/^/  stderr: /' "$tmp/stderr"
        tail -n 4 "$open_log" "$auth_log" | sed 's/^/  tinyproxy: /'
    fi
}

open=http://127.0.0.1:$open_port
auth=127.0.0.1:$auth_port

case_ uppercase_HTTPS_PROXY 0 1 1 0 '' -- HTTPS_PROXY=$open
case_ lowercase_https_proxy 0 1 1 0 '' -- https_proxy=$open
# curl's order: the lowercase name wins over the uppercase one.
case_ lowercase_wins 0 1 1 0 '' -- https_proxy=$open HTTPS_PROXY=http://127.0.0.1:1
case_ no_scheme_means_http 0 1 1 0 '' -- HTTPS_PROXY=127.0.0.1:$open_port
# A loopback API is proxied unless NO_PROXY names it (curl's rule).
case_ NO_PROXY_names_the_api 0 1 0 0 '' -- HTTPS_PROXY=$open NO_PROXY=127.0.0.1
case_ no_proxy_cidr 0 1 0 0 '' -- HTTPS_PROXY=$open no_proxy=example.org,127.0.0.0/8
case_ no_proxy_with_port 0 1 0 0 '' -- HTTPS_PROXY=$open no_proxy=127.0.0.1:$nginx_port
case_ no_proxy_other_port 0 1 1 0 '' -- HTTPS_PROXY=$open no_proxy=127.0.0.1:1
case_ NO_PROXY_star 0 1 0 0 '' -- HTTPS_PROXY=$open NO_PROXY='*'
case_ NO_PROXY_other_hosts 0 1 1 0 '' -- HTTPS_PROXY=$open NO_PROXY=localhost,.example.com
seen() {
    [[ $(nginx_last_request) == *"\"$1\":\"$2\""* ]] || fail "nginx saw $1 other than '$2'"
}
name=authorization_inside_the_tunnel
basic="Basic $(printf '%s' "$STYTCH_PROJECT_ID:$STYTCH_SECRET" | base64 -w0)"
bad_before=$failed
seen authorization "$basic"
((failed == bad_before)) && echo "ok   $name" && passed=$((passed + 1))

case_ proxy_auth_right 0 1 0 1 '' -- HTTPS_PROXY="http://alice:$proxy_password@$auth"
# tinyproxy 1.11 answers 407 to a CONNECT without credentials, 401 to wrong ones.
case_ proxy_auth_missing 3 0 0 1 'refused the CONNECT request.*with status 407' -- \
    HTTPS_PROXY="http://$auth"
case_ proxy_auth_wrong 3 0 0 1 'refused the CONNECT request.*with status 401' -- \
    HTTPS_PROXY="http://alice:x$proxy_password@$auth"
case_ proxy_url_unusable 2 0 0 0 'HTTPS_PROXY is not a usable' -- \
    HTTPS_PROXY="socks5://alice:$proxy_password@$auth"

name=secrets_not_in_proxy_logs
if grep -q -e "$STYTCH_SECRET" -e "${basic#Basic }" "$open_log" "$auth_log"; then
    fail "a project credential in a tinyproxy log"
else passed=$((passed + 1)); echo "ok   $name"; fi

echo "$passed passed, $failed failed"
((failed == 0))
