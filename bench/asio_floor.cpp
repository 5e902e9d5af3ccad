// stytch-floor: the same HTTP/1.1 exchange as the client's, with nothing of the client around
// it, to show what this stack (Asio's reactor and C++20 coroutines, our OpenSSL stream, the
// answer reader) costs by itself. One coroutine per connection writes the request and reads
// the answer, over and over: no pool, queue, strand, mutex, deadline, retry, cancellation,
// statistics or completion hand-off. With --decode it also decodes each answer into a new
// typed record, as every call of the client does.
//
// With --http2 each connection speaks HTTP/2 through the library's h2_session (nghttp2) with
// --streams requests in flight (h2load's -m): the floor beside h2load.
//
// The client's cost above this floor is the library's; the floor's above wrk's (h2load's) is
// the price of Asio and coroutines against a hand-written C event loop (docs/performance.md).
//
// usage: stytch-floor --url https://HOST:PORT/PATH --ca-file CA [--connections N]
//                     [--duration S | --requests N] [--decode] [--http2 [--streams M]] [--json]

#include <sys/resource.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/url/parse.hpp>

#include <openssl/ssl.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <stytch/b2b/delete_external_id.hpp>

#include "codec/header_field.hpp"
#include "codec/response_decoder.hpp"
#include "protocol/answer_reader.hpp"
#include "protocol/h2_session.hpp"
#include "transport/tls_context.hpp"
#include "transport/tls_stream.hpp"

namespace asio = boost::asio;
using clock_type = std::chrono::steady_clock;
using stream_type = stytch::detail::tls_stream<asio::any_io_executor>;

namespace {

struct options {
    std::string url;
    std::string ca_file;
    std::size_t connections = 64;
    double duration = 5;
    std::uint64_t requests = 0;  // 0: run for `duration`
    bool decode = false;
    bool http2 = false;
    std::size_t streams = 100;  // in flight per connection over HTTP/2
    bool json = false;
};

// What each request sends: the HTTP/1.1 bytes, and the same fields for HTTP/2.
struct request_text {
    std::string http1;
    std::string authority;
    std::string path;
    std::string authorization;
};

struct run_state {
    std::uint64_t claimed = 0;
    std::uint64_t limit = 0;  // 0: until `stopped`
    bool stopped = false;
    std::uint64_t errors = 0;
    std::vector<std::uint32_t> latencies_us;

    void done(clock_type::time_point started) {
        latencies_us.push_back(static_cast<std::uint32_t>(
            std::chrono::duration_cast<std::chrono::microseconds>(clock_type::now() - started)
                .count()));
    }

    bool claim() {
        if (stopped || (limit != 0 && claimed == limit)) {
            return false;
        }
        ++claimed;
        return true;
    }
};

double cpu_seconds() {
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    return static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
           static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

// Decodes a 200 answer into a new record, as the client's callers get one; false on failure.
bool decoded(bool decode, std::string_view body) {
    if (!decode) {
        return true;
    }
    stytch::b2b::delete_external_id_response record;
    return !stytch::detail::decode_delete_external_id(200, body, record);
}

asio::awaitable<bool> open(stream_type& stream,
                           const asio::ip::tcp::resolver::results_type& endpoints,
                           const std::string& host) {
    stytch::detail::set_expected_peer(stream.native_handle(), host);
    auto [cec, ep] = co_await asio::async_connect(stream.socket(), endpoints,
                                                  asio::as_tuple(asio::use_awaitable));
    if (cec) {
        co_return false;
    }
    stream.socket().set_option(asio::ip::tcp::no_delay(true));
    auto [hec, _] = co_await stream.async_handshake();
    co_return !hec;
}

asio::awaitable<void> connection_http1(run_state& st, asio::ssl::context& tls,
                                       const asio::ip::tcp::resolver::results_type& endpoints,
                                       const std::string& host, const request_text& request,
                                       bool decode) {
    stream_type stream(co_await asio::this_coro::executor, tls);
    if (!co_await open(stream, endpoints, host)) {
        ++st.errors;
        co_return;
    }
    boost::beast::flat_buffer in;
    std::string body;
    std::string retry_after;
    while (st.claim()) {
        const auto t0 = clock_type::now();
        if (auto [wec, _] = co_await stream.async_write(request.http1); wec) {
            ++st.errors;
            co_return;
        }
        stytch::detail::answer_reader reader(body, retry_after, {});
        boost::system::error_code ec;
        while (reader.feed(in, ec) == stytch::detail::parse_status::need_more) {
            auto [rec, n] = co_await stream.async_read_some(in.prepare(4096));
            if (rec) {
                ++st.errors;
                co_return;
            }
            in.commit(n);
        }
        if (ec || reader.status() != 200 || !decoded(decode, body)) {
            ++st.errors;
            co_return;
        }
        st.done(t0);
    }
}

// One HTTP/2 connection with up to `streams` requests in flight: all that nghttp2 queued is
// written, then what arrives is read, as one event loop would.
asio::awaitable<void> connection_http2(run_state& st, asio::ssl::context& tls,
                                       const asio::ip::tcp::resolver::results_type& endpoints,
                                       const std::string& host, const request_text& request,
                                       bool decode, std::size_t streams) {
    using stytch::detail::header_field;
    stream_type stream(co_await asio::this_coro::executor, tls);
    if (!co_await open(stream, endpoints, host)) {
        ++st.errors;
        co_return;
    }
    const std::array<header_field, 7> fields{{
        {":method", "DELETE"},
        {":scheme", "https"},
        {":authority", request.authority},
        {":path", request.path},
        {"authorization", request.authorization},
        {"content-type", "application/json"},
        {"user-agent", "Stytch C++ v0.1.0"},
    }};
    stytch::detail::h2_session session;
    std::unordered_map<std::int32_t, clock_type::time_point> started;
    std::string out;
    std::array<char, 16384> in;
    for (;;) {
        while (started.size() < streams && st.claim()) {
            const std::int32_t id = session.submit(fields);
            if (id == 0) {
                ++st.errors;
                co_return;
            }
            started.emplace(id, clock_type::now());
        }
        session.take_output(out);
        if (!out.empty()) {
            auto [wec, _] = co_await stream.async_write(out);
            out.clear();
            if (wec) {
                ++st.errors;
                co_return;
            }
        }
        if (started.empty()) {
            co_return;
        }
        auto [rec, n] = co_await stream.async_read_some(asio::buffer(in));
        if (rec) {
            ++st.errors;
            co_return;
        }
        session.receive({in.data(), n});
        for (const auto& r : session.finished()) {
            const auto at = started.find(r.stream_id);
            if (r.outcome != stytch::detail::h2_outcome::answered || r.status != 200 ||
                at == started.end() || !decoded(decode, r.body)) {
                ++st.errors;
                co_return;
            }
            st.done(at->second);
            started.erase(at);
        }
        session.finished().clear();
    }
}

options parse(int argc, char** argv) {
    options o;
    for (int i = 1; i < argc; ++i) {
        const std::string_view a = argv[i];
        const bool has_value = i + 1 < argc;
        if (a == "--url" && has_value) {
            o.url = argv[++i];
        } else if (a == "--ca-file" && has_value) {
            o.ca_file = argv[++i];
        } else if (a == "--connections" && has_value) {
            o.connections = std::strtoul(argv[++i], nullptr, 10);
        } else if (a == "--duration" && has_value) {
            o.duration = std::strtod(argv[++i], nullptr);
        } else if (a == "--requests" && has_value) {
            o.requests = std::strtoull(argv[++i], nullptr, 10);
        } else if (a == "--decode") {
            o.decode = true;
        } else if (a == "--http2") {
            o.http2 = true;
        } else if (a == "--streams" && has_value) {
            o.streams = std::strtoul(argv[++i], nullptr, 10);
        } else if (a == "--json") {
            o.json = true;
        } else {
            std::fprintf(stderr,
                         "usage: stytch-floor --url https://HOST:PORT/PATH --ca-file CA "
                         "[--connections N] [--duration S | --requests N] [--decode] "
                         "[--http2 [--streams M]] [--json]\n");
            std::exit(2);
        }
    }
    if (o.url.empty() || o.ca_file.empty() || o.connections == 0 || o.streams == 0) {
        std::fprintf(
            stderr, "stytch-floor: --url, --ca-file, --connections > 0 and --streams > 0 needed\n");
        std::exit(2);
    }
    return o;
}

}  // namespace

int main(int argc, char** argv) {
    const options opt = parse(argc, argv);
    const auto url = boost::urls::parse_uri(opt.url);
    if (!url) {
        std::fprintf(stderr, "stytch-floor: bad --url\n");
        return 2;
    }
    const std::string host = url->host();
    const std::string port = url->has_port() ? std::string(url->port()) : "443";
    // The client's request, byte for byte as wrk.lua sends it too.
    const char* auth = std::getenv("STYTCH_BENCH_AUTH");
    if (auth == nullptr) {
        std::fprintf(stderr, "stytch-floor: STYTCH_BENCH_AUTH (the Authorization value) needed\n");
        return 2;
    }
    request_text request;
    request.authority = host + ":" + port;
    request.path = url->encoded_resource();
    request.authorization = auth;
    request.http1 = "DELETE " + request.path + " HTTP/1.1\r\nHost: " + request.authority +
                    "\r\nAuthorization: " + request.authorization +
                    "\r\nContent-Type: application/json\r\nUser-Agent: Stytch C++ "
                    "v0.1.0\r\nContent-Length: 0\r\n\r\n";

    asio::io_context ioc(1);
    asio::ssl::context tls(asio::ssl::context::tls_client);
    tls.load_verify_file(opt.ca_file);
    tls.set_verify_mode(asio::ssl::verify_peer);
    static constexpr unsigned char alpn_h2[] = {2, 'h', '2'};
    if (opt.http2 && SSL_CTX_set_alpn_protos(tls.native_handle(), alpn_h2, sizeof alpn_h2) != 0) {
        std::fprintf(stderr, "stytch-floor: cannot offer h2 by ALPN\n");
        return 1;
    }
    const auto endpoints = asio::ip::tcp::resolver(ioc).resolve(host, port);

    run_state st;
    st.limit = opt.requests;
    st.latencies_us.reserve(1 << 20);
    asio::steady_timer stop(ioc);
    if (opt.requests == 0) {
        stop.expires_after(std::chrono::duration_cast<clock_type::duration>(
            std::chrono::duration<double>(opt.duration)));
        stop.async_wait([&](boost::system::error_code) { st.stopped = true; });
    }
    for (std::size_t i = 0; i < opt.connections; ++i) {
        if (opt.http2) {
            asio::co_spawn(
                ioc, connection_http2(st, tls, endpoints, host, request, opt.decode, opt.streams),
                asio::detached);
        } else {
            asio::co_spawn(ioc, connection_http1(st, tls, endpoints, host, request, opt.decode),
                           asio::detached);
        }
    }
    const double cpu0 = cpu_seconds();
    const auto t0 = clock_type::now();
    ioc.run();
    const double seconds = std::chrono::duration<double>(clock_type::now() - t0).count();
    const double cpu = cpu_seconds() - cpu0;

    auto& lat = st.latencies_us;
    std::sort(lat.begin(), lat.end());
    const auto pct = [&](double p) {
        return lat.empty()
                   ? 0u
                   : lat[std::min(lat.size() - 1, static_cast<std::size_t>(p * lat.size()))];
    };
    const double rps = seconds > 0 ? static_cast<double>(lat.size()) / seconds : 0;
    const double cpu_per = lat.empty() ? 0 : cpu * 1e6 / static_cast<double>(lat.size());
    if (opt.json) {
        std::printf(
            "{\"mode\":\"floor%s%s\",\"connections\":%zu,\"requests\":%zu,\"errors\":%llu,"
            "\"seconds\":%.3f,\"requests_per_second\":%.1f,\"p50_us\":%u,\"p99_us\":%u,"
            "\"cpu_us_per_request\":%.2f}\n",
            opt.http2 ? " h2" : "", opt.decode ? " with decode" : "", opt.connections, lat.size(),
            static_cast<unsigned long long>(st.errors), seconds, rps, pct(0.50), pct(0.99),
            cpu_per);
    } else {
        std::printf(
            "floor%s%s: %zu connections, %zu requests, %llu errors in %.2f s: %.0f req/s, "
            "p50 %u us, p99 %u us, %.1f us CPU/request\n",
            opt.http2 ? " h2" : "", opt.decode ? " with decode" : "", opt.connections, lat.size(),
            static_cast<unsigned long long>(st.errors), seconds, rps, pct(0.50), pct(0.99),
            cpu_per);
    }
    return st.errors != 0 && lat.empty() ? 1 : 0;
}
