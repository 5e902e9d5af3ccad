// stytch-bench: drives DeleteExternalId calls against a local HTTPS server and reports
// throughput, latency percentiles, client CPU time per call, peak RSS and errors.
//
// Two contenders:
//   default   the library's client (public API only): a pool of --connections keep-alive TLS
//             connections, --concurrency calls in flight.
//   --naive   a baseline written here with plain Beast: every call opens a new TCP + TLS
//             connection, sends the request, reads the answer, parses it into a Boost.JSON DOM
//             and closes the connection. min(--concurrency, --connections) calls in flight.
//
// By default the load is closed-loop (each caller starts its next call when the last one ends:
// the throughput a server allows). --rate N makes it open-loop (open_loop.hpp): N calls a
// second whatever the server does, latency counted from each call's due time. --hgrm FILE
// writes the latency percentiles in HdrHistogram's text format (hgrm.hpp).

#include <malloc.h>
#include <sys/resource.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/json/parse.hpp>
#include <boost/url/parse.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <iostream>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include <stytch/stytch.hpp>

#include "hgrm.hpp"
#include "open_loop.hpp"

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using clock_type = std::chrono::steady_clock;

namespace {

struct options {
    std::string url;
    std::string ca_file;
    std::size_t connections = 64;
    std::size_t concurrency = 256;
    std::uint64_t requests = 0;  // 0: use duration
    double duration = 10.0;
    unsigned threads = 1;
    bool loop_per_thread = false;  // each thread its own io_context and client, as wrk
    bool json = false;
    bool naive = false;
    double rate = 0;  // > 0: open loop, calls per second
    std::string hgrm_file;
    stytch::http_version http_version = stytch::http_version::automatic;
    std::string project_id = "project-test-11111111-2222-3333-4444-555555555555";
    std::string secret = "secret-test-mock";
    std::string org = "organization-test-07971b06-ac8b-4cdb-9c15-63b17e653931";
};

[[noreturn]] void usage(int status) {
    std::fprintf(status == 0 ? stdout : stderr,
                 "usage: stytch-bench --url https://127.0.0.1:PORT [--ca-file PEM]\n"
                 "       [--connections N] [--concurrency C] [--requests N | --duration S]\n"
                 "       [--threads T [--loop-per-thread]] [--json] [--naive] [--project-id ID]\n"
                 "       [--secret S]\n"
                 "       [--org ID] [--http-version auto|1.1|2] [--rate N] [--hgrm FILE]\n"
                 "       stytch-bench --help | -h\n"
                 "defaults: --connections 64 --concurrency 256 --duration 10 --threads 1\n"
                 "--naive: a new TLS connection per call (plain Beast, no pool), with\n"
                 "         min(concurrency, connections) calls in flight\n"
                 "--rate N: open loop: N calls a second in all (--requests of them, or\n"
                 "         N x --duration), each started when due whatever is in flight, up to\n"
                 "         --concurrency at once; latency counted from each call's due time\n"
                 "--hgrm FILE: the latency percentiles in HdrHistogram's .hgrm text format (ms)\n"
                 "--loop-per-thread: each of the T threads runs its own io_context and client,\n"
                 "         with N/T connections and C/T calls in flight (wrk's model) instead\n"
                 "         of T threads running one client's io_context\n");
    std::exit(status);
}

options parse_args(int argc, char** argv) {
    options o;
    for (int i = 1; i < argc; ++i) {
        const std::string a = argv[i];
        auto next = [&]() -> std::string {
            if (i + 1 >= argc) {
                std::fprintf(stderr, "stytch-bench: %s needs a value\n", a.c_str());
                usage(2);
            }
            return argv[++i];
        };
        auto number = [&]() -> double {
            const std::string v = next();
            char* end = nullptr;
            const double d = std::strtod(v.c_str(), &end);
            if (end == v.c_str() || *end != '\0' || d < 0) {
                std::fprintf(stderr, "stytch-bench: bad number for %s: %s\n", a.c_str(), v.c_str());
                usage(2);
            }
            return d;
        };
        if (a == "--url") {
            o.url = next();
        } else if (a == "--ca-file") {
            o.ca_file = next();
        } else if (a == "--connections") {
            o.connections = static_cast<std::size_t>(number());
        } else if (a == "--concurrency") {
            o.concurrency = static_cast<std::size_t>(number());
        } else if (a == "--requests") {
            o.requests = static_cast<std::uint64_t>(number());
        } else if (a == "--duration") {
            o.duration = number();
            o.requests = 0;
        } else if (a == "--threads") {
            o.threads = static_cast<unsigned>(number());
        } else if (a == "--loop-per-thread") {
            o.loop_per_thread = true;
        } else if (a == "--json") {
            o.json = true;
        } else if (a == "--naive") {
            o.naive = true;
        } else if (a == "--rate") {
            o.rate = number();
        } else if (a == "--hgrm") {
            o.hgrm_file = next();
        } else if (a == "--project-id") {
            o.project_id = next();
        } else if (a == "--secret") {
            o.secret = next();
        } else if (a == "--org") {
            o.org = next();
        } else if (a == "--http-version") {
            const std::string v = next();
            if (v == "auto" || v == "1.1" || v == "2") {
                o.http_version = v == "auto"  ? stytch::http_version::automatic
                                 : v == "1.1" ? stytch::http_version::http1_1
                                              : stytch::http_version::http2;
            } else {
                std::fprintf(stderr, "stytch-bench: --http-version: auto, 1.1 or 2\n");
                usage(2);
            }
        } else if (a == "--help" || a == "-h") {
            usage(0);
        } else {
            std::fprintf(stderr, "stytch-bench: unknown option %s\n", a.c_str());
            usage(2);
        }
    }
    if (o.url.empty() || o.connections == 0 || o.concurrency == 0 || o.threads == 0 ||
        (o.requests == 0 && o.duration <= 0)) {
        usage(2);
    }
    if (o.loop_per_thread && (o.naive || o.rate > 0 || o.connections < o.threads)) {
        std::fprintf(stderr,
                     "stytch-bench: --loop-per-thread drives the client in a closed loop, with "
                     "at least one connection per thread\n");
        usage(2);
    }
    if (o.rate > 0 && o.naive) {
        std::fprintf(stderr, "stytch-bench: --rate drives the library's client, not --naive\n");
        usage(2);
    }
    return o;
}

// Shared run state: when to stop, what was done.
struct run_state {
    const options& opt;
    clock_type::time_point start;
    clock_type::time_point stop_at;
    std::atomic<std::uint64_t> issued{0};
    std::atomic<std::uint64_t> completed{0};
    std::atomic<std::uint64_t> errors{0};
    std::atomic<std::size_t> workers_left{0};
    std::mutex first_error_mutex;
    std::string first_error;

    explicit run_state(const options& o) : opt(o) {}

    // Claims the next call; false when the run is over.
    bool claim() {
        if (opt.requests != 0) {
            return issued.fetch_add(1, std::memory_order_relaxed) < opt.requests;
        }
        if (clock_type::now() >= stop_at) {
            return false;
        }
        issued.fetch_add(1, std::memory_order_relaxed);
        return true;
    }

    void record_error(const std::string& what) {
        errors.fetch_add(1, std::memory_order_relaxed);
        const std::lock_guard lock(first_error_mutex);
        if (first_error.empty()) {
            first_error = what;
        }
    }
};

// One sequence of calls, one at a time; its latencies are its own (no locking).
struct worker_latencies {
    std::vector<std::uint32_t> us;
};

// ---- the library's client ------------------------------------------------------------------

struct client_worker : std::enable_shared_from_this<client_worker> {
    run_state& st;
    stytch::client& client;
    worker_latencies& lat;
    std::function<void()> on_done;
    stytch::b2b::delete_external_id_request request;
    stytch::b2b::delete_external_id_options call_options;
    clock_type::time_point t0;

    client_worker(run_state& s, stytch::client& c, worker_latencies& l, std::function<void()> d)
        : st(s), client(c), lat(l), on_done(std::move(d)) {
        request.organization_id = st.opt.org;
    }

    void next() {
        if (!st.claim()) {
            on_done();
            return;
        }
        t0 = clock_type::now();
        client.organizations().async_delete_external_id(
            request, call_options,
            [self = shared_from_this()](boost::system::error_code ec,
                                        stytch::b2b::delete_external_id_response response) {
                const auto took = clock_type::now() - self->t0;
                if (ec) {
                    self->st.record_error(ec.message());
                } else if (response.organization.organization_id.empty()) {
                    self->st.record_error("empty organization in the answer");
                } else {
                    self->lat.us.push_back(static_cast<std::uint32_t>(
                        std::chrono::duration_cast<std::chrono::microseconds>(took).count()));
                }
                self->st.completed.fetch_add(1, std::memory_order_relaxed);
                self->next();
            });
    }
};

// ---- the naive baseline: plain Beast, one TLS connection per call --------------------------

struct target {
    std::string host;
    std::string port;
    std::string target_path;
    std::string authorization;
};

std::string base64(std::string_view in) {
    static constexpr char table[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    std::size_t i = 0;
    for (; i + 2 < in.size(); i += 3) {
        const unsigned v =
            (unsigned char)in[i] << 16 | (unsigned char)in[i + 1] << 8 | (unsigned char)in[i + 2];
        out += table[v >> 18];
        out += table[(v >> 12) & 63];
        out += table[(v >> 6) & 63];
        out += table[v & 63];
    }
    if (i + 1 == in.size()) {
        const unsigned v = (unsigned char)in[i] << 16;
        out += table[v >> 18];
        out += table[(v >> 12) & 63];
        out += "==";
    } else if (i + 2 == in.size()) {
        const unsigned v = (unsigned char)in[i] << 16 | (unsigned char)in[i + 1] << 8;
        out += table[v >> 18];
        out += table[(v >> 12) & 63];
        out += table[(v >> 6) & 63];
        out += '=';
    }
    return out;
}

std::string percent_encode(std::string_view s) {
    std::string out;
    for (const unsigned char c : s) {
        if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
            out += static_cast<char>(c);
        } else {
            char buf[4];
            std::snprintf(buf, sizeof buf, "%%%02X", c);
            out += buf;
        }
    }
    return out;
}

asio::awaitable<void> naive_worker(run_state& st, ssl::context& tls, const target& t,
                                   const asio::ip::tcp::resolver::results_type& endpoints,
                                   worker_latencies& lat) {
    auto ex = co_await asio::this_coro::executor;
    http::request<http::empty_body> req{http::verb::delete_, t.target_path, 11};
    req.set(http::field::host, t.host);
    req.set(http::field::authorization, t.authorization);
    req.set(http::field::content_type, "application/json");
    req.set(http::field::user_agent, "stytch-bench naive");
    req.content_length(0);
    while (st.claim()) {
        const auto t0 = clock_type::now();
        try {
            beast::ssl_stream<beast::tcp_stream> stream(ex, tls);
            if (!SSL_set_tlsext_host_name(stream.native_handle(), t.host.c_str())) {
                throw boost::system::system_error(static_cast<int>(::ERR_get_error()),
                                                  asio::error::get_ssl_category());
            }
            stream.set_verify_callback(ssl::host_name_verification(t.host));
            beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(30));
            co_await beast::get_lowest_layer(stream).async_connect(endpoints, asio::use_awaitable);
            co_await stream.async_handshake(ssl::stream_base::client, asio::use_awaitable);
            co_await http::async_write(stream, req, asio::use_awaitable);
            beast::flat_buffer buffer;
            http::response<http::string_body> res;
            co_await http::async_read(stream, buffer, res, asio::use_awaitable);
            if (res.result_int() / 100 != 2) {
                st.record_error("HTTP status " + std::to_string(res.result_int()));
            } else {
                boost::system::error_code ec;
                const auto dom = boost::json::parse(res.body(), ec);
                if (ec || !dom.is_object() || !dom.as_object().contains("organization")) {
                    st.record_error("bad body");
                } else {
                    lat.us.push_back(static_cast<std::uint32_t>(
                        std::chrono::duration_cast<std::chrono::microseconds>(clock_type::now() -
                                                                              t0)
                            .count()));
                }
            }
            boost::system::error_code ignored;
            beast::get_lowest_layer(stream).socket().shutdown(asio::ip::tcp::socket::shutdown_both,
                                                              ignored);
            beast::get_lowest_layer(stream).close();
        } catch (const std::exception& e) {
            st.record_error(e.what());
        }
        st.completed.fetch_add(1, std::memory_order_relaxed);
    }
}

// ---- reporting -----------------------------------------------------------------------------

double cpu_seconds() {
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
           (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

// Bytes the process holds on the heap (OpenSSL's allocations included).
std::size_t heap_in_use() {
    const auto m = mallinfo2();
    return m.uordblks + m.hblkhd;
}

long peak_rss_kib() {
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

struct progress {
    asio::steady_timer timer;
    run_state& st;
    std::uint64_t last = 0;
    bool stopped = false;

    progress(asio::io_context& ioc, run_state& s) : timer(ioc), st(s) {}

    void arm() {
        timer.expires_after(std::chrono::seconds(1));
        timer.async_wait([this](boost::system::error_code ec) {
            if (ec || stopped) {
                return;
            }
            const auto done = st.completed.load();
            const double elapsed =
                std::chrono::duration<double>(clock_type::now() - st.start).count();
            std::fprintf(stderr, "\r[%5.1fs] %llu calls, %llu/s now, %llu errors   ", elapsed,
                         static_cast<unsigned long long>(done),
                         static_cast<unsigned long long>(done - last),
                         static_cast<unsigned long long>(st.errors.load()));
            std::fflush(stderr);
            last = done;
            arm();
        });
    }
};

}  // namespace

int main(int argc, char** argv) {
    const options opt = parse_args(argc, argv);

    asio::io_context ioc(opt.loop_per_thread ? 1 : static_cast<int>(opt.threads));
    run_state st(opt);

    std::optional<stytch::client> client;
    // --loop-per-thread: the io_contexts of threads 2..T and their clients.
    std::deque<asio::io_context> more_loops;
    std::deque<stytch::client> more_clients;
    std::unique_ptr<ssl::context> tls;
    target t;
    asio::ip::tcp::resolver::results_type endpoints;
    try {
        if (opt.naive) {
            const auto u = boost::urls::parse_uri(opt.url);
            if (!u || u->scheme() != "https" || u->host().empty()) {
                std::fprintf(stderr, "stytch-bench: --url must be https://host[:port][/prefix]\n");
                return 2;
            }
            t.host = std::string(u->encoded_host());
            t.port = u->has_port() ? std::string(u->port()) : "443";
            std::string prefix(u->encoded_path());
            while (!prefix.empty() && prefix.back() == '/') {
                prefix.pop_back();
            }
            t.target_path =
                prefix + "/v1/b2b/organizations/" + percent_encode(opt.org) + "/external_id";
            t.authorization = "Basic " + base64(opt.project_id + ":" + opt.secret);
            tls = std::make_unique<ssl::context>(ssl::context::tls_client);
            tls->set_default_verify_paths();
            if (!opt.ca_file.empty()) {
                tls->load_verify_file(opt.ca_file);
            }
            tls->set_verify_mode(ssl::verify_peer);
            tls->set_options(ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
            asio::ip::tcp::resolver resolver(ioc);
            endpoints = resolver.resolve(t.host, t.port);
        } else {
            stytch::client_config cfg;
            cfg.project_id = opt.project_id;
            cfg.secret = opt.secret;
            cfg.base_url = opt.url;
            cfg.ca_file = opt.ca_file;
            cfg.http_version = opt.http_version;
            const unsigned clients = opt.loop_per_thread ? opt.threads : 1;
            cfg.max_connections = opt.connections / clients;
            client.emplace(ioc.get_executor(), cfg);
            for (unsigned i = 1; i < clients; ++i) {
                more_loops.emplace_back(1);
                more_clients.emplace_back(more_loops.back().get_executor(), cfg);
            }
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "stytch-bench: %s\n", e.what());
        return 2;
    }

    const bool open = opt.rate > 0;
    const std::size_t workers = open        ? 0
                                : opt.naive ? std::min(opt.concurrency, opt.connections)
                                            : opt.concurrency;
    std::vector<worker_latencies> lat(workers);
    progress prog(ioc, st);
    st.workers_left = workers;
    // Heap held per pooled connection once every call is done and the connections are idle.
    const std::size_t heap_before = heap_in_use();
    std::size_t heap_idle = heap_before;
    // Once every call is done: stop the progress timer and close the client.
    auto finish = [&] {
        asio::post(ioc, [&] {
            heap_idle = heap_in_use();
            prog.stopped = true;
            prog.timer.cancel();
            if (client) {
                client->close();
            }
        });
        for (std::size_t i = 0; i < more_clients.size(); ++i) {
            asio::post(more_loops[i], [&, i] { more_clients[i].close(); });
        }
    };
    auto worker_done = [&] {
        if (st.workers_left.fetch_sub(1) == 1) {
            finish();
        }
    };
    std::optional<bench::open_loop> loop;
    const stytch::b2b::delete_external_id_request request{opt.org};
    if (open) {
        const std::uint64_t calls =
            opt.requests != 0 ? opt.requests
                              : static_cast<std::uint64_t>(std::min(opt.rate * opt.duration, 1e15));
        loop.emplace(ioc.get_executor(), opt.rate, calls, opt.concurrency,
                     [&](bench::open_loop::done_fn done) {
                         client->organizations().async_delete_external_id(
                             request, {},
                             [&st, done = std::move(done)](
                                 boost::system::error_code ec,
                                 stytch::b2b::delete_external_id_response response) {
                                 st.completed.fetch_add(1, std::memory_order_relaxed);
                                 if (ec) {
                                     st.record_error(ec.message());
                                     done(ec.message());
                                 } else if (response.organization.organization_id.empty()) {
                                     st.record_error("empty organization in the answer");
                                     done("empty organization in the answer");
                                 } else {
                                     done({});
                                 }
                             });
                     });
    }

    const double cpu0 = cpu_seconds();
    st.start = clock_type::now();
    // A --duration beyond what the clock can count has no end in time.
    const std::chrono::duration<double> run_for(opt.duration);
    st.stop_at = run_for < (clock_type::time_point::max() - st.start) / 2
                     ? st.start + std::chrono::duration_cast<clock_type::duration>(run_for)
                     : clock_type::time_point::max();
    if (!opt.json) {
        prog.arm();
    }
    if (loop) {
        loop->run(finish);
    }
    for (std::size_t i = 0; i < workers; ++i) {
        if (opt.naive) {
            asio::co_spawn(ioc, naive_worker(st, *tls, t, endpoints, lat[i]),
                           [&](std::exception_ptr) { worker_done(); });
        } else {
            // Spread evenly over the clients (one unless --loop-per-thread).
            const std::size_t k = i % (more_clients.size() + 1);
            stytch::client& c = k == 0 ? *client : more_clients[k - 1];
            std::make_shared<client_worker>(st, c, lat[i], worker_done)->next();
        }
    }
    std::vector<std::thread> threads;
    for (unsigned i = 1; i < opt.threads; ++i) {
        threads.emplace_back([&, i] { opt.loop_per_thread ? more_loops[i - 1].run() : ioc.run(); });
    }
    ioc.run();
    for (auto& th : threads) {
        th.join();
    }
    const auto end = clock_type::now();
    const double cpu = cpu_seconds() - cpu0;
    if (!opt.json) {
        std::fprintf(stderr, "\n");
    }

    std::vector<std::uint32_t> all =
        loop ? loop->result().latency_us : std::vector<std::uint32_t>{};
    for (auto& l : lat) {
        all.insert(all.end(), l.us.begin(), l.us.end());
    }
    std::sort(all.begin(), all.end());
    auto pct = [&](double p) { return bench::percentile_us(all, p * 100); };
    if (!opt.hgrm_file.empty()) {
        std::FILE* f = std::fopen(opt.hgrm_file.c_str(), "w");
        const std::string text = bench::hgrm(all);
        if (f == nullptr || std::fwrite(text.data(), 1, text.size(), f) != text.size() ||
            std::fclose(f) != 0) {
            std::fprintf(stderr, "stytch-bench: cannot write %s\n", opt.hgrm_file.c_str());
            return 2;
        }
    }
    // Open loop: the calls started per second, how many the in-flight cap held back, and the
    // most any call started after its due time (the client falling behind the schedule).
    const double sent_per_second = loop ? loop->result().sent_per_second() : 0.0;
    const unsigned long long late_starts = loop ? loop->result().late_starts : 0;
    const unsigned long long start_lag_us = loop ? loop->result().max_start_lag_us : 0;
    const std::uint64_t completed = st.completed.load();
    const std::uint64_t errors = st.errors.load();
    const std::uint64_t ok = completed - errors;
    const double seconds = std::chrono::duration<double>(end - st.start).count();
    const double rps = seconds > 0 ? static_cast<double>(ok) / seconds : 0;
    const double cpu_per = completed ? cpu * 1e6 / static_cast<double>(completed) : 0;
    const long rss = peak_rss_kib();
    std::size_t latency_bytes = 0;
    for (auto& l : lat) {
        latency_bytes += l.us.capacity() * sizeof(std::uint32_t);
    }
    const std::size_t pooled = opt.naive || open ? 0 : std::min(opt.connections, workers);
    const double idle_kib_per_connection =
        pooled ? (static_cast<double>(heap_idle) - static_cast<double>(heap_before) -
                  static_cast<double>(latency_bytes)) /
                     1024.0 / static_cast<double>(pooled)
               : 0.0;
    const char* mode = opt.naive             ? "naive"
                       : open                ? "client open loop"
                       : opt.loop_per_thread ? "client, a loop per thread"
                                             : "client";

    if (!opt.json) {
        std::printf("mode            %s (%zu connections, %zu in flight%s, %u thread%s)\n", mode,
                    opt.naive ? workers : opt.connections, open ? opt.concurrency : workers,
                    open ? " at most" : "", opt.threads, opt.threads == 1 ? "" : "s");
        if (open) {
            std::printf(
                "rate            %.1f/s target, %.1f/s sent, %llu late starts, start lag "
                "max %llu us\n",
                opt.rate, sent_per_second, late_starts, start_lag_us);
        }
        std::printf("requests        %llu ok, %llu errors in %.2f s\n",
                    static_cast<unsigned long long>(ok), static_cast<unsigned long long>(errors),
                    seconds);
        std::printf("throughput      %.0f requests/s\n", rps);
        std::printf(
            "latency         min %u us, p50 %u us, p90 %u us, p99 %u us, p99.9 %u us, "
            "p99.99 %u us, max %u us%s\n",
            all.empty() ? 0 : all.front(), pct(0.50), pct(0.90), pct(0.99), pct(0.999), pct(0.9999),
            all.empty() ? 0 : all.back(), open ? " (from due time)" : "");
        std::printf("client CPU      %.1f us/request (%.2f s user+sys)\n", cpu_per, cpu);
        std::printf("peak RSS        %ld KiB\n", rss);
        if (pooled) {
            std::printf("idle connection %.1f KiB of heap each (%zu pooled)\n",
                        idle_kib_per_connection, pooled);
        }
        if (!st.first_error.empty()) {
            std::printf("first error     %s\n", st.first_error.c_str());
        }
    } else {
        std::printf(
            "{\"mode\":\"%s\",\"connections\":%zu,\"concurrency\":%zu,\"threads\":%u,"
            "\"requests\":%llu,\"errors\":%llu,\"seconds\":%.3f,\"requests_per_second\":%.1f,"
            "\"min_us\":%u,\"p50_us\":%u,\"p90_us\":%u,\"p99_us\":%u,\"p99_9_us\":%u,"
            "\"p99_99_us\":%u,\"max_us\":%u,\"cpu_us_per_request\":%.2f,\"peak_rss_kib\":%ld,"
            "\"idle_heap_kib_per_connection\":%.1f,\"rate\":%.1f,\"sent_per_second\":%.1f,"
            "\"late_starts\":%llu,\"max_start_lag_us\":%llu}\n",
            mode, opt.naive ? workers : opt.connections, open ? opt.concurrency : workers,
            opt.threads, static_cast<unsigned long long>(ok),
            static_cast<unsigned long long>(errors), seconds, rps, all.empty() ? 0 : all.front(),
            pct(0.50), pct(0.90), pct(0.99), pct(0.999), pct(0.9999), all.empty() ? 0 : all.back(),
            cpu_per, rss, idle_kib_per_connection, opt.rate, sent_per_second, late_starts,
            start_lag_us);
    }
    std::fflush(stdout);
    return errors != 0 && ok == 0 ? 1 : 0;
}
