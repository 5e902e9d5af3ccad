// Soak test: many calls from many concurrent callers through a small pool against the
// in-process mock injecting ~5% random faults. Bounded: it stops by itself after --calls.
//
//   soak [--calls N] [--callers N] [--pool N] [--threads N] [--rounds N] [--fault-percent P]
//
// Defaults come from STYTCH_SOAK_CALLS (else 20000). Exits 0 when every check holds.

#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/json.hpp>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <stytch/mock/server.hpp>
#include <stytch/stytch.hpp>

#include "support/process.hpp"
#include "support/server.hpp"

namespace asio = boost::asio;
namespace http = boost::beast::http;
namespace json = boost::json;
using boost::system::error_code;
using steady = std::chrono::steady_clock;
using std::chrono::milliseconds;
using stytch::test::eventually;
using stytch::test::open_sockets;
using stytch::test::resident_kib;

namespace {

struct settings {
    std::size_t calls = 20000;
    std::size_t callers = 1000;
    std::size_t pool = 32;
    std::size_t threads = 1;
    std::size_t rounds = 10;
    double fault_percent = 5.0;
    milliseconds timeout{2000};
    long rss_slack_kib = 8 * 1024;  // allowed VmRSS growth after the warm-up rounds
};

int failures = 0;
#define CHECK(cond, ...)                                       \
    do {                                                       \
        if (!(cond)) {                                         \
            ++failures;                                        \
            std::fprintf(stderr, "CHECK FAILED: %s: ", #cond); \
            std::fprintf(stderr, __VA_ARGS__);                 \
            std::fprintf(stderr, "\n");                        \
        }                                                      \
    } while (0)

/// The codes a faulty server may legitimately cause.
bool meaningful(const error_code& ec) {
    return ec == stytch::error::server_error || ec == stytch::error::internal_server_error ||
           ec == stytch::error::too_many_requests || ec == stytch::error::malformed_json ||
           ec == asio::error::timed_out || ec == asio::error::connection_reset ||
           ec == asio::error::eof || ec == asio::error::broken_pipe ||
           ec == asio::ssl::error::stream_truncated || ec == http::error::partial_message ||
           ec == http::error::end_of_stream;
}

/// An API error answer: `status` with the smallest Stytch error body, naming `type`.
stytch::mock::reply api_failure(int status, std::string_view type) {
    stytch::mock::reply r;
    r.status = status;
    r.body = R"({"status_code":)" + std::to_string(status) + R"(,"error_type":")" +
             std::string(type) + R"("})";
    return r;
}

/// The mock's answer: ~fault_percent random faults, else a 200 echoing the requested id.
std::optional<stytch::mock::reply> answer(const stytch::mock::recorded_request& request,
                                          const json::object& organization, double fault_percent) {
    using stytch::mock::reply;
    constexpr std::string_view head = "/v1/b2b/organizations/";
    constexpr std::string_view tail = "/external_id";
    std::string_view target = request.target;
    if (!target.starts_with(head) || !target.ends_with(tail)) {
        return std::nullopt;
    }
    std::string id(target.substr(head.size(), target.size() - head.size() - tail.size()));
    thread_local std::mt19937_64 rng{std::random_device{}()};
    std::uniform_real_distribution<double> percent(0.0, 100.0);
    reply r;
    if (percent(rng) < fault_percent) {
        switch (std::uniform_int_distribution<int>(0, 999)(rng) % 100) {
            case 0:  // rare: holds a connection until the caller's deadline
                r.action = reply::kind::stall;
                return r;
            case 1 ... 20:
                r.action = reply::kind::close_without_answer;
                return r;
            case 21 ... 35:
                return api_failure(503, "unavailable");
            case 36 ... 45:
                r = api_failure(429, "too_many_requests");
                r.headers = {{"Retry-After", "0"}};
                return r;
            case 46 ... 55:
                return api_failure(500, "internal_server_error");
            case 56 ... 65:
                r.body = "{\"organization\":";
                return r;
            case 66 ... 75:
                r.action = reply::kind::reset_mid_answer;
                r.body = "{}";
                r.partial_bytes = 30;
                return r;
            case 76 ... 85:
                r.action = reply::kind::truncated_body;
                r.body = "{\"request_id\":\"x\",\"status_code\":200}";
                r.partial_bytes = 5;
                return r;
            default:
                r.close_after = true;  // a success with Connection: close
                break;
        }
    }
    json::object org = organization;
    org["organization_id"] = id;
    json::object body{{"request_id", "request-id-soak"}, {"status_code", 200}};
    body["organization"] = std::move(org);
    r.body = json::serialize(body);
    return r;
}

}  // namespace

int main(int argc, char** argv) {
    settings s;
    if (const char* env = std::getenv("STYTCH_SOAK_CALLS")) {
        s.calls = std::strtoull(env, nullptr, 10);
    }
    for (int i = 1; i + 1 < argc; i += 2) {
        std::string key = argv[i];
        double value = std::strtod(argv[i + 1], nullptr);
        if (key == "--calls")
            s.calls = static_cast<std::size_t>(value);
        else if (key == "--callers")
            s.callers = static_cast<std::size_t>(value);
        else if (key == "--pool")
            s.pool = static_cast<std::size_t>(value);
        else if (key == "--threads")
            s.threads = static_cast<std::size_t>(value);
        else if (key == "--rounds")
            s.rounds = static_cast<std::size_t>(value);
        else if (key == "--fault-percent")
            s.fault_percent = value;
        else if (key == "--timeout-ms")
            s.timeout = milliseconds(static_cast<long>(value));
        else if (key == "--rss-slack-mib")
            s.rss_slack_kib = static_cast<long>(value * 1024);
        else {
            std::fprintf(stderr, "unknown option %s\n", key.c_str());
            return 2;
        }
    }
    s.rounds = std::max<std::size_t>(s.rounds, 3);
    s.callers = std::max<std::size_t>(1, std::min(s.callers, s.calls / s.rounds));
    std::printf(
        "soak: %zu calls, %zu callers, pool %zu, %zu thread(s), %zu rounds, %.1f%% faults\n",
        s.calls, s.callers, s.pool, s.threads, s.rounds, s.fault_percent);
    const std::size_t sockets_before = open_sockets();

    stytch::mock::server_options so;
    so.record_requests = false;
    so.threads = 1;
    auto fixture = std::make_unique<stytch::test::server_fixture>(so);
    const json::object organization = *fixture->server.find_organization(stytch::test::first_org);
    fixture->server.set_override(
        [organization, p = s.fault_percent](const stytch::mock::recorded_request& r) {
            return answer(r, organization, p);
        });

    stytch::client_config cfg = fixture->config();
    cfg.max_connections = s.pool;
    cfg.request_timeout = s.timeout;
    cfg.retry.base_delay = milliseconds(5);
    cfg.retry.max_delay = milliseconds(50);

    asio::thread_pool threads(s.threads);
    auto client = std::make_unique<stytch::client>(threads.get_executor(), cfg);

    // Per call: how often it completed, and when it started.
    std::vector<std::atomic<std::uint8_t>> completions(s.calls);
    std::vector<steady::time_point> started(s.calls);
    std::atomic<std::size_t> next{0}, done{0}, ok{0}, wrong_org{0}, late{0};
    std::atomic<long> worst_overrun_us{std::numeric_limits<long>::min()};
    std::mutex codes_mutex;
    std::map<std::string, std::size_t> codes;
    std::vector<long> rss;
    const auto t0 = steady::now();

    const std::size_t per_round = s.calls / s.rounds;
    std::size_t issued = 0;
    for (std::size_t round = 0; round < s.rounds; ++round) {
        const std::size_t end = round + 1 == s.rounds ? s.calls : issued + per_round;
        next = issued;
        // `callers` concurrent callers, each calling again as soon as its call completes.
        auto org_api = client->organizations();
        std::function<void(std::size_t)> start_call = [&](std::size_t i) {
            started[i] = steady::now();
            org_api.async_delete_external_id(
                {"soak-" + std::to_string(i)}, {},
                [&, i](error_code ec, stytch::b2b::delete_external_id_response response) {
                    const auto took = steady::now() - started[i];
                    const long overrun_us =
                        std::chrono::duration_cast<std::chrono::microseconds>(took - s.timeout)
                            .count();
                    long prev = worst_overrun_us.load();
                    while (overrun_us > prev &&
                           !worst_overrun_us.compare_exchange_weak(prev, overrun_us)) {
                    }
                    if (took > s.timeout + milliseconds(100)) {
                        ++late;
                    }
                    completions[i].fetch_add(1);
                    if (!ec) {
                        ++ok;
                        if (response.organization.organization_id != "soak-" + std::to_string(i)) {
                            ++wrong_org;
                        }
                    } else {
                        std::lock_guard lock(codes_mutex);
                        ++codes[(meaningful(ec) ? "" : "UNEXPECTED ") + ec.to_string() + " " +
                                ec.message()];
                    }
                    std::size_t mine = next.fetch_add(1);
                    if (mine < end) {
                        start_call(mine);
                    }
                    ++done;  // last: the round may end (and its locals go) right after
                });
        };
        // Completions already take indexes from `next` on the client's threads: only start an
        // index that is still inside this round.
        for (std::size_t k = 0; k < s.callers; ++k) {
            const std::size_t i = next.fetch_add(1);
            if (i >= end) {
                break;
            }
            start_call(i);
        }
        const std::size_t expected = end;
        while (done.load() < expected) {
            std::this_thread::sleep_for(milliseconds(5));
        }
        issued = end;
        rss.push_back(resident_kib());
        std::printf("round %zu: %zu calls done, VmRSS %ld KiB, %.1f s\n", round + 1, done.load(),
                    rss.back(), std::chrono::duration<double>(steady::now() - t0).count());
        std::fflush(stdout);
    }
    const double seconds = std::chrono::duration<double>(steady::now() - t0).count();

    // Exactly once, own organization, meaningful errors, deadlines.
    std::size_t not_once = 0;
    for (auto& c : completions) {
        not_once += c.load() != 1;
    }
    CHECK(not_once == 0, "%zu calls did not complete exactly once", not_once);
    CHECK(wrong_org == 0, "%zu successes carried another organization", wrong_org.load());
    CHECK(late == 0, "%zu calls outlived their deadline by more than 100 ms", late.load());
    std::size_t failed = 0;
    for (const auto& [code, n] : codes) {
        std::printf("  failure %-60s %zu\n", code.c_str(), n);
        CHECK(code.rfind("UNEXPECTED", 0) != 0, "%s", code.c_str());
        failed += n;
    }
    CHECK(ok + failed == s.calls, "%zu ok + %zu failed != %zu", ok.load(), failed, s.calls);
    CHECK(ok > s.calls * 9 / 10, "only %zu successes", ok.load());

    // Sockets: the client's side holds at most the pool. The server's side is known exactly:
    // its open connections plus its listener.
    auto client_sockets = [&] {
        return static_cast<long>(open_sockets()) - static_cast<long>(sockets_before) -
               static_cast<long>(fixture->server.connections_open()) - 1;
    };
    bool bounded = eventually([&] { return client_sockets() <= static_cast<long>(s.pool); });
    const long sockets_after = client_sockets();
    CHECK(bounded, "client sockets %ld > pool %zu", sockets_after, s.pool);

    // Memory: after a warm-up of two rounds, no growth from round to round.
    const std::size_t warm = 2;
    long warm_rss = *std::max_element(rss.begin(), rss.begin() + warm);
    long last = rss.back();
    CHECK(last <= warm_rss + s.rss_slack_kib, "VmRSS grew from %ld KiB (after warm-up) to %ld KiB",
          warm_rss, last);

    client.reset();  // closes every connection
    CHECK(eventually([&] { return client_sockets() <= 0; }), "client sockets left open: %ld",
          client_sockets());
    threads.join();
    fixture.reset();  // the server, and its CA file
    CHECK(open_sockets() == sockets_before, "%zu sockets left", open_sockets());

    std::printf(
        "soak: %zu calls in %.1f s (%.0f calls/s): %zu ok, %zu failed; worst overrun of the "
        "deadline %+ld ms; client sockets after %ld (pool %zu); VmRSS after warm-up %ld KiB, at "
        "end %ld KiB\n",
        s.calls, seconds, s.calls / seconds, ok.load(), failed, worst_overrun_us.load() / 1000,
        sockets_after, s.pool, warm_rss, last);
    std::printf("soak: %s\n", failures == 0 ? "PASSED" : "FAILED");
    return failures == 0 ? 0 : 1;
}
