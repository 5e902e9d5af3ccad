# Sourced by the proxy interop test: runs tinyproxy (Debian package tinyproxy-bin) on
# 127.0.0.1 in the foreground, logging every CONNECT. Nothing outside DIR is written.
#
#   tinyproxy_start DIR [USER PASSWORD]  start it, with Basic authentication when USER is
#                                        given; sets tinyproxy_pid, tinyproxy_port,
#                                        tinyproxy_log
#   tinyproxy_stop                       stop it (also safe when it did not start)
#   tinyproxy_connects                   how many CONNECT requests the log shows

tinyproxy_pid=

tinyproxy_start() {
    local dir=$1 user=${2:-} password=${3:-}
    command -v tinyproxy >/dev/null ||
        { echo "FAIL: tinyproxy not installed (Debian package tinyproxy-bin)"; return 1; }
    mkdir -p "$dir"
    tinyproxy_log=$dir/tinyproxy.log
    local attempt
    for attempt in 1 2 3; do
        tinyproxy_port=$(nginx_free_port) || { echo "FAIL: no free port"; return 1; }
        : >"$tinyproxy_log"
        {
            echo "Port $tinyproxy_port"
            echo "Listen 127.0.0.1"
            echo "Timeout 30"
            echo "LogFile \"$tinyproxy_log\""
            echo "LogLevel Connect"
            echo "MaxClients 16"
            echo "Allow 127.0.0.1"
            [[ -z $user ]] || echo "BasicAuth $user $password"
        } >"$dir/tinyproxy.conf"
        tinyproxy -d -c "$dir/tinyproxy.conf" >"$dir/tinyproxy.out" 2>&1 &
        tinyproxy_pid=$!
        local i
        for i in $(seq 100); do
            kill -0 "$tinyproxy_pid" 2>/dev/null || break
            if (exec 3<>"/dev/tcp/127.0.0.1/$tinyproxy_port") 2>/dev/null; then
                return 0
            fi
            sleep 0.1
        done
        tinyproxy_stop
    done
    echo "FAIL: tinyproxy did not start:"
    cat "$dir/tinyproxy.out" "$tinyproxy_log" 2>/dev/null
    return 1
}

tinyproxy_stop() {
    if [[ -n $tinyproxy_pid ]]; then
        kill -TERM "$tinyproxy_pid" 2>/dev/null
        wait "$tinyproxy_pid" 2>/dev/null
        tinyproxy_pid=
    fi
}

tinyproxy_connects() {
    grep -c 'Request (file descriptor [0-9]*): CONNECT ' "$tinyproxy_log"
}
