// Memory a server can make the client hold, per connection: every buffer it can make grow has
// a maximum, and past it the connection fails with a clear error (never a deadline, never the
// process's memory). The peak resident set is measured around each flood.

#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <atomic>
#include <map>
#include <thread>

#include <malloc.h>

#include "conformance_h2/fixture.hpp"
#include "support/process.hpp"
#include "support/server.hpp"

using namespace stytch;
using namespace stytch::test::h2;

namespace {

// 100 requests with a session JWT of 60 KiB each (nghttp2 sends header blocks of up to
// 64 KiB): more than the kernel's buffers hold (4 MiB for a socket's sends on Debian) while the
// server reads nothing, so the client's writer stays blocked on them.
constexpr std::size_t blocking_calls = 100;
const std::string big_jwt(60 * 1024, 'j');

// AddressSanitizer's redzones and shadow memory make every allocation cost more.
#if defined(__SANITIZE_ADDRESS__)
constexpr long memory_scale = 3;
#else
constexpr long memory_scale = 1;
#endif

// Peak resident memory above what the process held at `start()`, in KiB (process-wide: a
// script's thread may start it).
class peak_growth {
  public:
    void start() {
        ::malloc_trim(0);  // what earlier tests freed goes back to the system first
        test::reset_peak_resident();
        before_.store(test::resident_kib());
    }
    long kib() const { return test::status_kib("VmHWM:") - before_.load(); }

  private:
    std::atomic<long> before_{0};
};

// A script: a request arrives (the others stuck behind it); then `flood` runs until the client
// closes the connection or `rounds` pass.
script_server::script flood_while_not_reading(moment& sent, std::function<void(peer&)> flood,
                                              int rounds) {
    return [&sent, flood = std::move(flood), rounds](peer& p) {
        p.start();
        p.next_request();
        sent.mark();
        for (int i = 0; i < rounds && !p.closed(); ++i) {
            flood(p);
        }
    };
}

// Against a server running flood_while_not_reading(flood, rounds), the calls with big JWTs on
// one connection, no retries: each must fail with `expected` (and `code_name` in the details,
// when given) within `bound` of the flood's start; then, the client gone, every script ends.
void calls_fail_under_a_flood(std::function<void(peer&)> flood, int rounds,
                              boost::system::error_code expected, std::string_view code_name,
                              milliseconds bound) {
    moment sent;
    script_server server({flood_while_not_reading(sent, std::move(flood), rounds)});
    script_client f(server);
    f.cfg.max_connections = 1;
    peak_growth peak;
    peak.start();
    b2b::delete_external_id_options options;
    options.session_jwt = big_jwt;
    for (const auto& o : f.calls(blocking_calls, options)) {
        BOOST_TEST_REQUIRE(!o.r.has_value());
        BOOST_TEST(o.r.error().code == expected, o.r.error().code.message());
        if (!code_name.empty()) {
            BOOST_TEST(o.r.error().details.error_type == code_name);
        }
        BOOST_TEST(o.after(sent) < bound, o.after(sent).count() << " ms");
    }
    // The requests' 6 MiB in their few copies (about 30 MiB), 256 KiB of unsent bytes,
    // buffers; without a bound a KeyUpdate flood adds about 2 MiB every second until the
    // deadline.
    BOOST_TEST(peak.kib() < 48 * 1024 * memory_scale, peak.kib() << " KiB");
    f.c.reset();
    BOOST_TEST(f.finish(server));
}

}  // namespace

BOOST_AUTO_TEST_SUITE(memory)

BOOST_AUTO_TEST_CASE(a_key_update_flood_while_the_writer_is_blocked_fails_at_the_send_bound) {
    calls_fail_under_a_flood([](peer& p) { p.send_key_update(); }, 2'000'000,
                             error::send_buffer_limit, "", milliseconds(3000));
}

BOOST_AUTO_TEST_CASE(a_ping_flood_while_the_writer_is_blocked_ends_the_connection) {
    std::string pings;
    for (int i = 0; i < 100; ++i) {
        pings += frame(ping, 0, 0, std::string(8, static_cast<char>(i)));
    }
    calls_fail_under_a_flood([&pings](peer& p) { p.send(pings); }, 100'000,
                             error::http2_protocol_error, "ENHANCE_YOUR_CALM", milliseconds(1000));
}

BOOST_AUTO_TEST_CASE(a_settings_flood_while_the_writer_is_blocked_ends_the_connection) {
    std::string many;
    for (int i = 0; i < 100; ++i) {
        many += settings_frame({{0x3, 100}});  // SETTINGS_MAX_CONCURRENT_STREAMS
    }
    calls_fail_under_a_flood([&many](peer& p) { p.send(many); }, 100'000,
                             error::http2_protocol_error, "ENHANCE_YOUR_CALM", milliseconds(1000));
}

// 100 streams, each answered with a body just under the body limit, 16 KiB at a time in
// turn, as fast as the client's flow-control windows allow (a server that honours them).
BOOST_AUTO_TEST_CASE(a_hundred_slow_answers_just_under_the_limit_stay_within_the_window) {
    constexpr std::size_t body_limit = 256 * 1024;
    constexpr std::size_t streams = 100;
    std::string body = ok_body();
    body.resize(body_limit - 100, ' ');  // JSON allows trailing white space
    script_server server({[&body](peer& p) {
        p.start();
        std::map<std::int32_t, std::size_t> sent;  // stream -> body bytes sent
        std::map<std::int32_t, long> window;       // stream -> its flow-control window
        long connection = 65535;
        long initial = 65535;
        if (const auto* s = p.first(settings)) {  // the client's: its initial window
            for (std::size_t i = 0; i + 6 <= s->payload.size(); i += 6) {
                if (s->payload[i + 1] == 0x4) {
                    initial = static_cast<long>(u32_at(s->payload, i + 2));
                }
            }
        }
        for (std::size_t i = 0; i < streams; ++i) {
            const auto id = p.next_request();
            const std::string block =
                hpack::status(200) + hpack::literal("content-length", std::to_string(body.size()));
            p.send(frame(headers, end_headers, id, block));
            sent[id] = 0;
            window[id] = initial;
        }
        std::size_t seen = 0;
        while (!sent.empty() && !p.closed()) {
            // What the client said meanwhile: window updates, resets.
            while (p.poll_frame(milliseconds(sent.empty() ? 0 : 1))) {
            }
            for (; seen < p.frames().size(); ++seen) {
                const auto& f = p.frames()[seen];
                if (f.type == window_update) {
                    const long add = static_cast<long>(u32_at(f.payload, 0) & 0x7fffffff);
                    (f.stream_id == 0 ? connection : window[f.stream_id]) += add;
                } else if (f.type == rst_stream) {
                    sent.erase(f.stream_id);
                }
            }
            for (auto it = sent.begin(); it != sent.end();) {
                const long room = std::min({connection, window[it->first], 16384L});
                const std::size_t n = std::min<std::size_t>(
                    static_cast<std::size_t>(std::max(room, 0L)), body.size() - it->second);
                if (n == 0) {
                    ++it;
                    continue;
                }
                const bool last = it->second + n == body.size();
                p.send(frame(data, last ? end_stream : 0, it->first,
                             std::string_view(body).substr(it->second, n)));
                connection -= static_cast<long>(n);
                window[it->first] -= static_cast<long>(n);
                it->second += n;
                it = last ? sent.erase(it) : std::next(it);
            }
        }
        p.read_until_closed();
    }});
    script_client f(server);
    f.cfg.max_connections = 1;
    f.cfg.max_response_body = body_limit;
    f.cfg.request_timeout = std::chrono::seconds(20);
    peak_growth peak;
    peak.start();
    const auto all = f.calls(streams);
    std::size_t answered = 0;
    std::size_t over_budget = 0;
    for (const auto& o : all) {
        if (o.r.has_value()) {
            ++answered;
        } else {
            BOOST_TEST(o.r.error().code == boost::beast::http::error::body_limit,
                       o.r.error().code.message());
            ++over_budget;
        }
    }
    BOOST_TEST(answered + over_budget == streams);  // none timed out
    BOOST_TEST(answered > 0u);
    // The 4 MiB budget, bodies growing by doubling, buffers; without a budget: over 25 MiB.
    BOOST_TEST(peak.kib() < 16 * 1024 * memory_scale, peak.kib() << " KiB");
    BOOST_TEST_MESSAGE("answered " << answered << ", reset over the window " << over_budget
                                   << ", peak growth " << peak.kib() << " KiB");
    f.c.reset();
    BOOST_TEST(f.finish(server));
}

BOOST_AUTO_TEST_SUITE_END()
