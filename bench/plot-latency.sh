#!/usr/bin/env bash
# Latency by percentile, HTTP/1.1 and HTTP/2 side by side, at a fixed request rate (open loop).
#
# Builds stytch-bench and stytch-mock (Release, $STYTCH_BENCH_BUILD_DIR, default build-bench/),
# starts stytch-mock --http2 on 127.0.0.1 (extra flags from PLOT_MOCK_ARGS, e.g.
# "--latency-uniform 10:30"), then runs
#   stytch-bench --rate PLOT_RATE --duration PLOT_SECONDS --http-version 1.1 --hgrm h1.hgrm
#   stytch-bench --rate PLOT_RATE --duration PLOT_SECONDS --http-version 2   --hgrm h2.hgrm
# (latency counted from each call's due time, percentiles in HdrHistogram's .hgrm format), and
# draws both on one gnuplot chart: latency (ms) against percentile, the x axis 1/(1-p) on a log
# scale as HdrHistogram's plotter draws it. Prints a table of the percentiles of both runs.
#
# Environment: PLOT_RATE (2000 calls/s), PLOT_SECONDS (20), PLOT_CONNECTIONS (64),
# PLOT_MOCK_ARGS (none), PLOT_OUT (directory for h1.hgrm, h2.hgrm, latency-by-percentile.svg
# and .png; default plot-latency/ in the build directory). Installs gnuplot-nox if missing.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build_dir=${STYTCH_BENCH_BUILD_DIR:-$root/build-bench}
rate=${PLOT_RATE:-2000}
seconds=${PLOT_SECONDS:-20}
connections=${PLOT_CONNECTIONS:-64}
out=${PLOT_OUT:-$build_dir/plot-latency}

if ! command -v gnuplot >/dev/null; then
    echo "== installing gnuplot-nox"
    sudo=()
    [[ $(id -u) -eq 0 ]] || sudo=(sudo)
    "${sudo[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends \
        gnuplot-nox >/dev/null
fi

echo "== building stytch-bench and stytch-mock (Release, $build_dir)"
cmake -S "$root" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build_dir" -j "$(nproc)" --target stytch-bench stytch-mock >/dev/null
bench_bin=$build_dir/bench/stytch-bench
mock_bin=$build_dir/tools/stytch-mock/stytch-mock

mkdir -p "$out"
work=$(mktemp -d)
mock_pid=
cleanup() {
    [[ -n $mock_pid ]] && kill "$mock_pid" 2>/dev/null && wait "$mock_pid" 2>/dev/null
    rm -rf "$work"
}
trap cleanup EXIT

# shellcheck disable=SC2086  # PLOT_MOCK_ARGS is a list of flags
"$mock_bin" --port 0 --ca-out "$work/ca.pem" --http2 ${PLOT_MOCK_ARGS:-} >"$work/mock.out" 2>&1 &
mock_pid=$!
url=
for _ in $(seq 300); do
    url=$(sed -n 's/^listening on //p' "$work/mock.out")
    [[ -n $url ]] && break
    kill -0 "$mock_pid" 2>/dev/null || break
    sleep 0.1
done
[[ -n $url ]] || { cat "$work/mock.out" >&2; echo "plot-latency: stytch-mock did not start" >&2; exit 1; }
echo "== stytch-mock --http2 ${PLOT_MOCK_ARGS:-} at $url; $rate calls/s for ${seconds}s each, $connections connections at most (machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg))"

declare -A summary
for version in 1.1 2; do
    name=h${version%%.*}
    summary[$name]=$("$bench_bin" --url "$url" --ca-file "$work/ca.pem" --http-version "$version" \
        --rate "$rate" --duration "$seconds" --connections "$connections" \
        --concurrency 100000 --hgrm "$out/$name.hgrm" --json | tail -n 1)
done

field() { sed -nE "s/.*\"$1\":([0-9.]+).*/\\1/p" <<<"$2"; }
printf '| %-8s | %9s | %6s | %5s | %8s | %8s | %8s | %8s | %9s | %10s | %8s |\n' protocol "sent/s" \
    errors late "p50 ms" "p90 ms" "p99 ms" "p99.9 ms" "p99.99 ms" "max ms" "CPU us"
printf '|----------|----------:|-------:|------:|---------:|---------:|---------:|---------:|----------:|-----------:|---------:|\n'
for name in h1 h2; do
    s=${summary[$name]}
    ms() { awk -v v="$(field "$1" "$s")" 'BEGIN { printf "%.3f", v / 1000 }'; }
    printf '| %-8s | %9.1f | %6d | %5d | %8s | %8s | %8s | %8s | %9s | %10s | %8.1f |\n' \
        "$([[ $name == h1 ]] && echo HTTP/1.1 || echo HTTP/2)" "$(field sent_per_second "$s")" \
        "$(field errors "$s")" "$(field late_starts "$s")" "$(ms p50_us)" "$(ms p90_us)" \
        "$(ms p99_us)" "$(ms p99_9_us)" "$(ms p99_99_us)" "$(ms max_us)" \
        "$(field cpu_us_per_request "$s")"
done

# The .hgrm rows (not the header, the 100 % row without a 4th column, nor the footer):
# column 1 the latency in ms, column 4 1/(1-p).
for name in h1 h2; do
    awk 'NF == 4 && $1 ~ /^[0-9.]+$/ { print $4, $1 }' "$out/$name.hgrm" >"$work/$name.dat"
done
for terminal in svg png; do
    case $terminal in
        svg) term='svg size 900,540 dynamic background rgb "white" font "sans,12"' ;;
        png) term='pngcairo size 900,540 font "sans,10"' ;;
    esac
    gnuplot <<GNUPLOT
set terminal $term
set output "$out/latency-by-percentile.$terminal"
set title "stytch-bench open loop: $rate calls/s for ${seconds}s against stytch-mock ${PLOT_MOCK_ARGS:-}\nlatency from each call's due time"
set logscale x
set xrange [1:*]
set xtics ("0%%" 1, "90%%" 10, "99%%" 100, "99.9%%" 1000, "99.99%%" 10000, "99.999%%" 100000)
set xlabel "percentile"
set ylabel "latency (ms)"
set yrange [0:*]
set grid
set key top left
plot "$work/h1.dat" using 1:2 with lines linewidth 2 title "HTTP/1.1", \
     "$work/h2.dat" using 1:2 with lines linewidth 2 title "HTTP/2"
GNUPLOT
done
echo "== $out/h1.hgrm, $out/h2.hgrm, $out/latency-by-percentile.svg and .png"
