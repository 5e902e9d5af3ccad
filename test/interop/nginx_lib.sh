# Sourced by the nginx interop and SDK parity tests: runs nginx on 127.0.0.1 as a recording
# Stytch stand-in, with a CA and a server certificate made at test time with the openssl
# command. Everything lives in one directory; nothing outside it is written.
#
#   nginx_start DIR OK_JSON   start nginx; sets nginx_pid, nginx_port, nginx_url, nginx_ca,
#                             nginx_log (access log: one JSON object per request)
#   nginx_stop                stop it (also safe when it did not start)
#   nginx_last_request        the last access-log line
#   nginx_client_ca=FILE      (set before nginx_start) require a client certificate signed by
#                             FILE (ssl_verify_client on); the access log then also records
#                             the client's subject as "client"
#   nginx_http2=1             (set before nginx_start) offer HTTP/2 by ALPN (`listen ... ssl
#                             http2`, nginx 1.22's syntax); without it nginx speaks only HTTP/1.1
#
# Each access-log line also has "protocol" (HTTP/1.1 or HTTP/2.0) and "connection" (nginx's
# serial number of the TCP connection the request came on).
#
# Routes, by the raw (still percent-encoded) request URI:
#   /v1/b2b/organizations/organization-test-nginx-ok/external_id    200 OK_JSON
#   /v1/b2b/organizations/org%20id%2F%C3%A9/external_id             200 OK_JSON
#   /v1/b2b/organizations/organization-test-nginx-401/external_id   401 unauthorized_credentials
#   /v1/b2b/organizations/organization-test-nginx-500/external_id   500 internal_server_error
#   /v1/b2b/organizations/organization-test-nginx-502/external_id   502 with an HTML body
#   anything else                                                    404 organization_not_found

nginx_pid=
nginx_client_ca=${nginx_client_ca:-}
nginx_http2=${nginx_http2:-}

nginx_make_certificates() {
    local dir=$1
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
        -subj "/CN=stytch-test-ca" -keyout "$dir/ca.key" -out "$dir/ca.pem" \
        -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign" \
        2>/dev/null
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=localhost" \
        -keyout "$dir/server.key" -out "$dir/server.csr" 2>/dev/null
    printf '%s\n' "subjectAltName=IP:127.0.0.1,DNS:localhost" "extendedKeyUsage=serverAuth" \
        "basicConstraints=CA:FALSE" >"$dir/server.ext"
    openssl x509 -req -in "$dir/server.csr" -CA "$dir/ca.pem" -CAkey "$dir/ca.key" \
        -CAcreateserial -days 2 -extfile "$dir/server.ext" -out "$dir/server.pem" 2>/dev/null
}

# A port nothing answers on (connection refused) right now.
nginx_free_port() {
    local port
    for _ in $(seq 50); do
        port=$((20000 + RANDOM % 40000))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            echo "$port"
            return 0
        fi
    done
    return 1
}

nginx_write_config() {
    local dir=$1 port=$2 ok_json=$3
    local api=/v1/b2b/organizations
    local user_line="" mtls="" http2=""
    [[ -z $nginx_client_ca ]] ||
        mtls="ssl_verify_client on; ssl_client_certificate $nginx_client_ca;"
    [[ -z $nginx_http2 ]] || http2=" http2"
    # As root, the workers drop to an unprivileged user; the directory must be readable.
    [[ $(id -u) -ne 0 ]] || user_line="user nobody nogroup;"
    cat >"$dir/nginx.conf" <<CONF
$user_line
daemon off;
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/error.log info;
events { worker_connections 64; }
http {
    client_body_temp_path $dir/tmp/body;
    proxy_temp_path $dir/tmp/proxy;
    fastcgi_temp_path $dir/tmp/fastcgi;
    uwsgi_temp_path $dir/tmp/uwsgi;
    scgi_temp_path $dir/tmp/scgi;
    log_format wire escape=json '{"method":"\$request_method","uri":"\$request_uri",'
        '"authorization":"\$http_authorization","member_session":"\$http_x_stytch_member_session",'
        '"member_session_jwt":"\$http_x_stytch_member_sessionjwt","content_type":"\$content_type",'
        '"user_agent":"\$http_user_agent","content_length":"\$content_length","status":"\$status",'
        '"client":"\$ssl_client_s_dn","protocol":"\$server_protocol","connection":"\$connection"}';
    access_log $dir/access.log wire;
    map_hash_bucket_size 256;
    map \$request_uri \$answer {
        default                                          not_found;
        $api/organization-test-nginx-ok/external_id      ok;
        $api/org%20id%2F%C3%A9/external_id               ok;
        $api/organization-test-nginx-401/external_id     unauthorized;
        $api/organization-test-nginx-500/external_id     internal;
        $api/organization-test-nginx-502/external_id     bad_gateway;
    }
    server {
        listen 127.0.0.1:$port ssl$http2;
        ssl_certificate $dir/server.pem;
        ssl_certificate_key $dir/server.key;
        $mtls
        default_type application/json;
        if (\$answer = ok) {
            return 200 '$(cat "$ok_json")';
        }
        if (\$answer = unauthorized) {
            return 401 '{"status_code":401,"request_id":"request-id-test-nginx-401","error_type":"unauthorized_credentials","error_message":"Unauthorized credentials.","error_url":"https://stytch.com/docs/api/errors/401#unauthorized_credentials"}';
        }
        if (\$answer = internal) {
            return 500 '{"status_code":500,"request_id":"request-id-test-nginx-500","error_type":"internal_server_error","error_message":"Oops, something seems to have gone wrong.","error_url":"https://stytch.com/docs/api/errors/500"}';
        }
        if (\$answer = not_found) {
            return 404 '{"status_code":404,"request_id":"request-id-test-nginx-404","error_type":"organization_not_found","error_message":"Organization could not be found.","error_url":"https://stytch.com/docs/api/errors/404#organization_not_found"}';
        }
        location / {
            default_type text/html;
            return 502 '<html><body>502 Bad Gateway</body></html>';
        }
    }
}
CONF
}

nginx_start() {
    local dir=$1 ok_json=$2
    command -v nginx >/dev/null || PATH=$PATH:/usr/sbin
    command -v nginx >/dev/null || { echo "FAIL: nginx not installed (Debian package nginx-light)"; return 1; }
    mkdir -p "$dir/tmp"
    chmod 755 "$dir"
    nginx_make_certificates "$dir" || { echo "FAIL: openssl could not make certificates"; return 1; }
    nginx_ca=$dir/ca.pem
    nginx_log=$dir/access.log
    local attempt
    for attempt in 1 2 3; do
        nginx_port=$(nginx_free_port) || { echo "FAIL: no free port"; return 1; }
        nginx_write_config "$dir" "$nginx_port" "$ok_json"
        nginx -p "$dir" -e "$dir/error.log" -c "$dir/nginx.conf" &
        nginx_pid=$!
        local i
        for i in $(seq 100); do
            if ! kill -0 "$nginx_pid" 2>/dev/null; then
                break
            fi
            if (exec 3<>"/dev/tcp/127.0.0.1/$nginx_port") 2>/dev/null; then
                nginx_url=https://127.0.0.1:$nginx_port
                return 0
            fi
            sleep 0.1
        done
        nginx_stop
    done
    echo "FAIL: nginx did not start:"
    cat "$dir/error.log" 2>/dev/null
    return 1
}

nginx_stop() {
    if [[ -n $nginx_pid ]]; then
        kill -TERM "$nginx_pid" 2>/dev/null
        wait "$nginx_pid" 2>/dev/null
        nginx_pid=
    fi
}

nginx_last_request() {
    tail -n 1 "$nginx_log"
}
