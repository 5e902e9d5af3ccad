#!/usr/bin/env bash
# Mutual TLS against nginx (ssl_verify_client on): the stytch-b2b CLI with a client
# certificate from STYTCH_CLIENT_CERT / STYTCH_CLIENT_KEY, directly and through tinyproxy.
# nginx's access log records the client certificate's subject.
# Usage: test_nginx_mtls.sh STYTCH_B2B
set -u
cli=$1
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=nginx_lib.sh
source "$here/nginx_lib.sh"
# shellcheck source=tinyproxy_lib.sh
source "$here/tinyproxy_lib.sh"
tmp=$(mktemp -d)
trap 'tinyproxy_stop; nginx_stop; rm -rf "$tmp"' EXIT

# Two client CAs, each with a client certificate (extendedKeyUsage clientAuth).
mkdir -p "$tmp/pki"
(
    cd "$tmp/pki" || exit 1
    printf 'extendedKeyUsage=clientAuth\nbasicConstraints=CA:FALSE\n' >client.ext
    for n in a b; do
        openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
            -subj "/CN=client-ca-$n" -keyout "ca-$n.key" -out "ca-$n.pem" \
            -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign" &&
            openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=client-$n" \
                -keyout "client-$n.key" -out "client-$n.csr" &&
            openssl x509 -req -in "client-$n.csr" -CA "ca-$n.pem" -CAkey "ca-$n.key" \
                -CAcreateserial -days 2 -extfile client.ext -out "client-$n.pem" || exit 1
    done
) 2>/dev/null || { echo "FAIL: openssl could not make client certificates"; exit 1; }
chmod -R a+rX "$tmp/pki"

nginx_client_ca=$tmp/pki/ca-a.pem
nginx_start "$tmp/nginx" "$here/ok_response.json" || exit 1
tinyproxy_start "$tmp/proxy" || exit 1
echo "nginx (mutual TLS) at $nginx_url, tinyproxy at :$tinyproxy_port"

export STYTCH_PROJECT_ID=project-test-mtls-interop
export STYTCH_SECRET=secret-test-mtls
export STYTCH_BASE_URL=$nginx_url STYTCH_CA_FILE=$nginx_ca
unset https_proxy HTTPS_PROXY no_proxy NO_PROXY STYTCH_CLIENT_CERT STYTCH_CLIENT_KEY

passed=0 failed=0
fail() { failed=$((failed + 1)); echo "FAIL $name: $*"; }

# check NAME EXIT REQUESTS CLIENT_SUBJECT STATUS -- ENV...: runs the CLI with ENV; checks the
# exit status, how many requests nginx logged, and the subject and status of the last one.
check() {
    name=$1
    local want=$2 requests=$3 subject=$4 status=$5
    shift 6
    local before bad_before=$failed
    before=$(wc -l <"$nginx_log")
    env "$@" "$cli" delete-external-id organization-test-nginx-ok >"$tmp/stdout" 2>"$tmp/stderr"
    local got=$?
    [[ $got -eq $want ]] || fail "exit status $got, want $want"
    for _ in $(seq 50); do (($(wc -l <"$nginx_log") >= before + requests)) && break; sleep 0.1; done
    local logged=$(($(wc -l <"$nginx_log") - before))
    ((logged == requests)) || fail "nginx logged $logged request(s), want $requests"
    if ((requests > 0)); then
        local line
        line=$(nginx_last_request)
        [[ $line == *"\"client\":\"$subject\""* ]] || fail "client subject is not '$subject': $line"
        [[ $line == *"\"status\":\"$status\""* ]] || fail "status is not $status: $line"
    fi
    if ((failed == bad_before)); then passed=$((passed + 1)); echo "ok   $name"; else
        cut -c1-200 "$tmp/stdout" | sed 's/^/  stdout: /'; sed 's/^/  stderr: /' "$tmp/stderr"
    fi
}

pki=$tmp/pki
check with_client_certificate 0 1 CN=client-a 200 -- \
    STYTCH_CLIENT_CERT="$pki/client-a.pem" STYTCH_CLIENT_KEY="$pki/client-a.key"
cat "$pki/client-a.pem" "$pki/client-a.key" >"$pki/both.pem"
check key_in_the_certificate_file 0 1 CN=client-a 200 -- STYTCH_CLIENT_CERT="$pki/both.pem"
check through_tinyproxy 0 1 CN=client-a 200 -- HTTPS_PROXY="http://127.0.0.1:$tinyproxy_port" \
    STYTCH_CLIENT_CERT="$pki/client-a.pem" STYTCH_CLIENT_KEY="$pki/client-a.key"
name=through_tinyproxy_logged
grep -q "CONNECT 127.0.0.1:$nginx_port " "$tinyproxy_log" && { passed=$((passed + 1)); echo "ok   $name"; } ||
    fail "tinyproxy logged no CONNECT"
# nginx answers these with an HTTP 400 after the handshake (its ssl_verify_client behaviour;
# it logs the subject of a certificate it did not accept).
check without_certificate 1 1 "" 400 --
check certificate_of_another_ca 1 1 CN=client-b 400 -- \
    STYTCH_CLIENT_CERT="$pki/client-b.pem" STYTCH_CLIENT_KEY="$pki/client-b.key"
check key_of_another_certificate 2 0 "" "" -- \
    STYTCH_CLIENT_CERT="$pki/client-a.pem" STYTCH_CLIENT_KEY="$pki/client-b.key"
grep -q "cannot use STYTCH_CA_FILE, STYTCH_CLIENT_CERT or STYTCH_CLIENT_KEY" "$tmp/stderr" ||
    fail "no clear reason on stderr"

echo "$passed passed, $failed failed"
((failed == 0))
