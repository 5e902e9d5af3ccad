// The mock over HTTP/2: a real TLS connection on 127.0.0.1 selecting h2 by ALPN, driven by the
// library's sans-io client session (src/net/h2_session.hpp) or by raw frames, with the frames
// the server sends logged by the test itself.

#include <boost/test/unit_test.hpp>

#include <stytch/mock/server.hpp>

#include "h2_raw_frames.hpp"
#include "mock/support.hpp"
#include "protocol/h2_session.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/write.hpp>
#include <boost/json.hpp>

#include <nghttp2/nghttp2.h>
#include <openssl/ssl.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdint>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace asio = boost::asio;
namespace json = boost::json;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;
using stytch::detail::h2_outcome;
using stytch::detail::h2_result;
using stytch::mock::reply;
using stytch::mock::server;
using stytch::mock::server_options;
using stytch::mock::testing::base64;
using stytch::mock::testing::seeded_server;
namespace h2_raw = stytch::mock::detail::h2_raw;

namespace {

const std::string acme_id = "organization-test-07971b06-ac8b-4cdb-9c15-63b17e653931";

server_options h2_options() {
    server_options opts;
    opts.alpn = {"h2", "http/1.1"};
    return opts;
}

/// A server with the sample organizations offering h2, with `changes` made to its options.
std::unique_ptr<server> h2_server(const std::function<void(server_options&)>& changes) {
    server_options opts = h2_options();
    changes(opts);
    return seeded_server(std::move(opts));
}

/// A frame of the server's byte stream, as the test sees it on the wire.
struct wire_frame {
    std::uint8_t type = 0;
    std::uint8_t flags = 0;
    std::int32_t stream_id = 0;
    std::size_t length = 0;
};

/// Splits the server's bytes into frames (RFC 9113 §4.1), independently of any h2 session.
class frame_log {
  public:
    void feed(std::string_view bytes) {
        bytes_ += bytes.size();
        pending_ += bytes;
        const auto byte = [&](std::size_t i) { return static_cast<std::uint8_t>(pending_[i]); };
        while (pending_.size() >= 9) {
            const std::size_t length = (byte(0) << 16) | (byte(1) << 8) | byte(2);
            if (pending_.size() < 9 + length) {
                break;
            }
            const auto id = static_cast<std::int32_t>(((byte(5) & 0x7fu) << 24) | (byte(6) << 16) |
                                                      (byte(7) << 8) | byte(8));
            frames_.push_back({byte(3), byte(4), id, length});
            pending_.erase(0, 9 + length);
        }
    }
    const std::vector<wire_frame>& frames() const { return frames_; }
    std::size_t bytes() const { return bytes_; }
    std::size_t count(std::uint8_t type) const {
        return std::count_if(frames_.begin(), frames_.end(),
                             [&](const wire_frame& f) { return f.type == type; });
    }
    /// The position of the first frame of `type` on `stream_id`, frames().size() if none.
    std::size_t position(std::uint8_t type, std::int32_t stream_id) const {
        return std::find_if(frames_.begin(), frames_.end(),
                            [&](const wire_frame& f) {
                                return f.type == type && f.stream_id == stream_id;
                            }) -
               frames_.begin();
    }

  private:
    std::string pending_;
    std::vector<wire_frame> frames_;
    std::size_t bytes_ = 0;
};

/// A TLS connection offering only h2, with a log of the frames received; every wait is bounded.
class tls_client {
  public:
    explicit tls_client(const server& srv) {
        ctx_.add_certificate_authority(asio::buffer(srv.identity().ca_certificate_pem));
        stream_.set_verify_mode(ssl::verify_peer);
        static constexpr unsigned char offer[] = {2, 'h', '2'};
        SSL_set_alpn_protos(stream_.native_handle(), offer, sizeof offer);
        stream_.lowest_layer().connect({asio::ip::make_address("127.0.0.1"), srv.port()});
        stream_.handshake(ssl::stream_base::client);
        const unsigned char* selected = nullptr;
        unsigned size = 0;
        SSL_get0_alpn_selected(stream_.native_handle(), &selected, &size);
        selected_.assign(reinterpret_cast<const char*>(selected), size);
    }

    const std::string& selected() const { return selected_; }
    const frame_log& received() const { return log_; }

    void write(std::string_view bytes) { asio::write(stream_, asio::buffer(bytes)); }

    /// The next bytes from the server: "" once the connection ended, nullopt at `deadline`.
    std::optional<std::string> read_some(std::chrono::steady_clock::time_point deadline) {
        std::array<char, 16 * 1024> buffer;
        boost::system::error_code read_ec;
        std::size_t got = 0;
        bool completed = false;
        stream_.async_read_some(asio::buffer(buffer),
                                [&](boost::system::error_code ec, std::size_t n) {
                                    read_ec = ec;
                                    got = n;
                                    completed = true;
                                });
        ioc_.restart();
        ioc_.run_for(deadline - std::chrono::steady_clock::now());
        if (!completed) {
            stream_.lowest_layer().cancel();
            ioc_.restart();
            ioc_.run();
            return std::nullopt;
        }
        const std::string bytes = read_ec ? std::string() : std::string(buffer.data(), got);
        log_.feed(bytes);
        return bytes;
    }

    /// Reads until `done()` holds for the frames received, the connection ends or `limit`
    /// passes; returns done().
    bool read_until(const std::function<bool(const frame_log&)>& done,
                    std::chrono::milliseconds limit = 10s) {
        const auto deadline = std::chrono::steady_clock::now() + limit;
        while (!done(log_)) {
            const auto bytes = read_some(deadline);
            if (!bytes || bytes->empty()) {
                break;
            }
        }
        return done(log_);
    }

  private:
    asio::io_context ioc_;
    ssl::context ctx_{ssl::context::tls_client};
    ssl::stream<tcp::socket> stream_{ioc_, ctx_};
    std::string selected_;
    frame_log log_;
};

std::string authorization(const std::string& secret = "") {
    const server_options defaults;
    return "Basic " +
           base64(defaults.project_id + ":" + (secret.empty() ? defaults.secret : secret));
}

std::string delete_path(const std::string& organization) {
    return "/v1/b2b/organizations/" + organization + "/external_id";
}

/// The library's h2_session over a tls_client.
class h2_client {
  public:
    explicit h2_client(const server& srv) : connection_(srv) {}

    const std::string& selected() const { return connection_.selected(); }
    stytch::detail::h2_session& session() { return session_; }
    tls_client& connection() { return connection_; }

    std::int32_t submit(const std::string& organization, const std::string& secret = "",
                        const std::string& extra_header_value = "") {
        // header_field views its bytes: they live here until submit() has copied them.
        const std::string path = delete_path(organization);
        const std::string credentials = authorization(secret);
        std::vector<stytch::detail::header_field> fields{
            {":method", "DELETE"},          {":scheme", "https"},
            {":authority", "127.0.0.1"},    {":path", path},
            {"authorization", credentials}, {"content-type", "application/json"}};
        if (!extra_header_value.empty()) {
            fields.push_back({"x-extra", extra_header_value});
        }
        return session_.submit(fields);
    }

    /// `count` requests for organizations that do not exist (answered 404).
    std::vector<std::int32_t> submit_missing(int count) {
        std::vector<std::int32_t> ids;
        for (int i = 0; i < count; ++i) {
            ids.push_back(submit("organization-test-missing-" + std::to_string(i)));
        }
        return ids;
    }

    /// Writes what the session has to send.
    void flush() {
        std::string out;
        session_.take_output(out);
        if (!out.empty()) {
            connection_.write(out);
        }
    }

    /// Exchanges bytes until `count` streams have finished (or the connection closed, or
    /// `limit` passed); returns the finished streams by id.
    std::map<std::int32_t, h2_result> run(std::size_t count,
                                          std::chrono::milliseconds limit = 10s) {
        const auto deadline = std::chrono::steady_clock::now() + limit;
        while (done_.size() < count && session_.state() != stytch::detail::h2_state::closed &&
               std::chrono::steady_clock::now() < deadline) {
            flush();
            const auto bytes = connection_.read_some(deadline);
            if (!bytes) {
                break;
            }
            if (bytes->empty()) {
                session_.connection_lost();
            } else {
                session_.receive(*bytes);
            }
            collect();
        }
        collect();
        return done_;
    }

  private:
    void collect() {
        for (auto& r : session_.take_finished()) {
            done_[r.stream_id] = std::move(r);
        }
    }

    tls_client connection_;
    stytch::detail::h2_session session_;
    std::map<std::int32_t, h2_result> done_;
};

/// Starts measuring the peak resident set size anew (Linux: "5" to /proc/self/clear_refs).
bool reset_peak_rss() {
    std::ofstream clear("/proc/self/clear_refs");
    clear << "5" << std::flush;
    return static_cast<bool>(clear);
}

/// The peak resident set size since the last reset_peak_rss() (VmHWM), in bytes; 0 if unknown.
std::size_t peak_rss() {
    std::ifstream status("/proc/self/status");
    for (std::string line; std::getline(status, line);) {
        if (line.starts_with("VmHWM:")) {
            return std::stoul(line.substr(6)) * 1024;
        }
    }
    return 0;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(http2)

BOOST_AUTO_TEST_CASE(delete_is_answered_with_the_organization_over_h2) {
    auto srv = seeded_server(h2_options());
    h2_client client(*srv);
    BOOST_TEST(client.selected() == "h2");
    const auto id = client.submit(acme_id);
    auto done = client.run(1);
    BOOST_TEST_REQUIRE(done.count(id) == 1u);
    const h2_result& r = done[id];
    BOOST_TEST((r.outcome == h2_outcome::answered));
    BOOST_TEST(r.status == 200);
    const json::value body = json::parse(r.body);
    BOOST_TEST(body.at("organization").at("organization_id").as_string() == acme_id);
    BOOST_TEST(!body.at("organization").as_object().contains("organization_external_id"));
    const auto requests = srv->requests();
    BOOST_TEST_REQUIRE(requests.size() == 1u);
    BOOST_TEST(requests[0].method == "DELETE");
    BOOST_TEST(requests[0].target == "/v1/b2b/organizations/" + acme_id + "/external_id");
    BOOST_TEST(requests[0].header("content-type") == "application/json");
}

BOOST_AUTO_TEST_CASE(store_miss_and_bad_credentials_answer_their_errors_over_h2) {
    auto srv = seeded_server(h2_options());
    h2_client client(*srv);
    const auto missing = client.submit("organization-test-does-not-exist");
    const auto unauthorized = client.submit(acme_id, "wrong-secret");
    auto done = client.run(2);
    BOOST_TEST_REQUIRE(done.size() == 2u);
    BOOST_TEST(done[missing].status == 404);
    BOOST_TEST(json::parse(done[missing].body).at("error_type").as_string() ==
               "organization_not_found");
    BOOST_TEST(done[unauthorized].status == 401);
    BOOST_TEST(srv->find_organization(acme_id)->at("organization_external_id").is_string());
}

BOOST_AUTO_TEST_CASE(override_hook_answers_streams_with_its_status_and_headers) {
    auto srv = seeded_server(h2_options());
    srv->set_override([](const stytch::mock::recorded_request&) -> std::optional<reply> {
        reply r;
        r.status = 429;
        r.headers = {{"Retry-After", "7"}, {"Connection", "close"}};
        r.body = R"({"status_code":429})";
        return r;
    });
    h2_client client(*srv);
    const auto id = client.submit(acme_id);
    auto done = client.run(1);
    BOOST_TEST((done[id].outcome == h2_outcome::answered));
    BOOST_TEST(done[id].status == 429);
    BOOST_TEST(done[id].retry_after == "7");
    BOOST_TEST(done[id].body == R"({"status_code":429})");
}

BOOST_AUTO_TEST_CASE(delayed_streams_are_answered_concurrently) {
    constexpr auto delay = 300ms;
    constexpr int streams = 10;
    auto srv = h2_server([&](server_options& opts) {
        opts.threads = 1;
        opts.answer_delay = delay;
    });
    h2_client client(*srv);
    std::vector<std::int32_t> ids;
    const auto begin = std::chrono::steady_clock::now();
    for (int i = 0; i < streams; ++i) {
        ids.push_back(client.submit(i % 2 == 0 ? acme_id : "organization-test-missing"));
    }
    auto done = client.run(streams);
    const auto took = std::chrono::steady_clock::now() - begin;
    BOOST_TEST_REQUIRE(done.size() == std::size_t(streams));
    for (int i = 0; i < streams; ++i) {
        BOOST_TEST(done[ids[i]].status == (i % 2 == 0 ? 200 : 404));
    }
    BOOST_TEST(took >= delay);
    BOOST_TEST(
        took < 2 * delay, "10 streams took "
                              << std::chrono::duration_cast<std::chrono::milliseconds>(took).count()
                              << " ms");
}

BOOST_AUTO_TEST_CASE(max_concurrent_streams_is_announced) {
    auto srv = h2_server([&](server_options& opts) { opts.h2_max_concurrent_streams = 1; });
    h2_client client(*srv);
    const auto first = client.submit(acme_id);
    auto done = client.run(1);
    BOOST_TEST(client.session().max_concurrent_streams() == 1u);
    BOOST_TEST(done[first].status == 200);
}

BOOST_AUTO_TEST_CASE(goaway_after_n_streams_leaves_later_ones_unprocessed) {
    auto srv = h2_server([&](server_options& opts) {
        opts.h2_goaway_after = 2;
        opts.answer_delay = 200ms;  // the GOAWAY comes mid-flight, before any answer
    });
    h2_client client(*srv);
    const auto ids = client.submit_missing(4);
    auto done = client.run(4);
    BOOST_TEST_REQUIRE(done.size() == 4u);
    BOOST_TEST(client.session().goaway_last_stream_id() == ids[1]);
    const frame_log& wire = client.connection().received();
    const std::size_t goaway = wire.position(h2_raw::goaway, 0);
    BOOST_TEST_REQUIRE(goaway < wire.frames().size());
    BOOST_TEST(goaway < wire.position(h2_raw::headers, ids[0]));
    BOOST_TEST(goaway < wire.position(h2_raw::headers, ids[1]));
    BOOST_TEST(done[ids[0]].status == 404);
    BOOST_TEST(done[ids[1]].status == 404);
    BOOST_TEST((done[ids[2]].outcome == h2_outcome::not_processed));
    BOOST_TEST((done[ids[3]].outcome == h2_outcome::not_processed));
    BOOST_TEST(srv->requests_received() == 2u);
    BOOST_TEST((client.session().state() == stytch::detail::h2_state::closed));
}

BOOST_AUTO_TEST_CASE(refused_stream_is_reset_while_others_are_answered) {
    auto srv = h2_server([&](server_options& opts) { opts.h2_refuse_stream = 2; });
    h2_client client(*srv);
    const auto ids = client.submit_missing(3);
    auto done = client.run(3);
    BOOST_TEST_REQUIRE(done.size() == 3u);
    BOOST_TEST(done[ids[0]].status == 404);
    BOOST_TEST((done[ids[1]].outcome == h2_outcome::refused));
    BOOST_TEST(done[ids[2]].status == 404);
    BOOST_TEST(srv->requests_received() == 2u);
}

BOOST_AUTO_TEST_CASE(a_header_list_over_the_limit_resets_only_that_stream) {
    auto srv = seeded_server(h2_options());
    h2_client client(*srv);
    const auto big = client.submit(acme_id, "", std::string(9 * 1024, 'x'));
    const auto small = client.submit("organization-test-missing");
    auto done = client.run(2);
    BOOST_TEST_REQUIRE(done.size() == 2u);
    BOOST_TEST((done[big].outcome == h2_outcome::reset));
    BOOST_TEST(done[small].status == 404);
    BOOST_TEST(srv->requests_received() == 1u);
    BOOST_TEST(srv->find_organization(acme_id)->at("organization_external_id").is_string());
}

BOOST_AUTO_TEST_CASE(without_h2_in_alpn_the_server_selects_nothing_for_an_h2_offer) {
    auto srv = seeded_server({});
    h2_client client(*srv);
    BOOST_TEST(client.selected().empty());
}

BOOST_AUTO_TEST_CASE(a_hook_fault_resets_only_its_stream_with_internal_error) {
    auto srv = seeded_server(h2_options());
    srv->set_override([](const stytch::mock::recorded_request& r) -> std::optional<reply> {
        if (r.target != delete_path("organization-test-reset")) {
            return std::nullopt;
        }
        reply fault;
        fault.action = reply::kind::reset_mid_answer;
        return fault;
    });
    h2_client client(*srv);
    const auto before = client.submit("organization-test-missing");
    const auto reset = client.submit("organization-test-reset");
    const auto after = client.submit(acme_id);
    auto done = client.run(3, 5s);
    BOOST_TEST_REQUIRE(done.size() == 3u);
    BOOST_TEST((done[reset].outcome == h2_outcome::reset));
    BOOST_TEST(done[reset].error_code == std::uint32_t{NGHTTP2_INTERNAL_ERROR});
    BOOST_TEST(done[before].status == 404);
    BOOST_TEST(done[after].status == 200);
    BOOST_TEST((client.session().state() == stytch::detail::h2_state::open));
}

BOOST_AUTO_TEST_CASE(no_window_update_leaves_calls_working_and_uploads_unacknowledged) {
    auto srv = h2_server([&](server_options& opts) { opts.h2_no_window_update = true; });

    // The library's calls have no body: unaffected.
    h2_client client(*srv);
    const auto first = client.submit(acme_id);
    const auto second = client.submit("organization-test-missing");
    auto done = client.run(2);
    BOOST_TEST(done[first].status == 200);
    BOOST_TEST(done[second].status == 404);

    // A 40,000-byte body (over half the 65,535-byte windows: nghttp2 would acknowledge it) is
    // read and answered, and never acknowledged.
    tls_client raw(*srv);
    std::string block;
    h2_raw::append_literal_field(block, ":method", "DELETE");
    h2_raw::append_literal_field(block, ":scheme", "https");
    h2_raw::append_literal_field(block, ":authority", "127.0.0.1");
    h2_raw::append_literal_field(block, ":path", delete_path("organization-test-missing"));
    h2_raw::append_literal_field(block, "authorization", authorization());
    std::string request(h2_raw::client_preface);
    request += h2_raw::frame(h2_raw::settings, 0, 0, "");
    request += h2_raw::frame(h2_raw::headers, h2_raw::flag_end_headers, 1, block);
    const std::string body(40'000, 'x');
    for (std::size_t offset = 0; offset < body.size(); offset += 16'000) {
        const bool last = offset + 16'000 >= body.size();
        request += h2_raw::frame(h2_raw::data, last ? h2_raw::flag_end_stream : 0, 1,
                                 std::string_view(body).substr(offset, 16'000));
    }
    raw.write(request);
    const bool answered = raw.read_until([](const frame_log& log) {
        return std::any_of(log.frames().begin(), log.frames().end(), [](const wire_frame& f) {
            return f.stream_id == 1 && (f.type == h2_raw::headers || f.type == h2_raw::data) &&
                   (f.flags & h2_raw::flag_end_stream) != 0;
        });
    });
    BOOST_TEST(answered);
    BOOST_TEST(srv->requests().back().body.size() == body.size());
    BOOST_TEST(raw.received().count(h2_raw::window_update) == 0u);
    BOOST_TEST(client.connection().received().count(h2_raw::window_update) == 0u);
}

BOOST_AUTO_TEST_CASE(ignore_ping_never_acknowledges_a_ping_while_streams_are_answered) {
    auto srv = h2_server([&](server_options& opts) { opts.h2_ignore_ping = true; });
    h2_client client(*srv);
    client.flush();  // the connection preface first, then the PING, then the requests
    client.connection().write(h2_raw::frame(h2_raw::ping, 0, 0, "12345678"));
    const auto first = client.submit(acme_id);
    auto done = client.run(1);
    const auto second = client.submit("organization-test-missing");
    done = client.run(2);
    BOOST_TEST(done[first].status == 200);
    BOOST_TEST(done[second].status == 404);
    const frame_log& wire = client.connection().received();
    BOOST_TEST(wire.count(h2_raw::ping) == 0u);
    // Other acknowledgements still come: the server acknowledged the client's SETTINGS.
    BOOST_TEST(std::count_if(wire.frames().begin(), wire.frames().end(), [](const wire_frame& f) {
                   return f.type == h2_raw::settings && (f.flags & h2_raw::flag_ack) != 0;
               }) == 1);
}

BOOST_AUTO_TEST_CASE(hpack_bomb_resets_only_its_stream_and_memory_stays_bounded) {
    auto srv = h2_server([&](server_options& opts) { opts.h2_hpack_bomb = 2; });
    // A field the server's HPACK encoder would keep in the dynamic table and refer to in later
    // answers, were the bomb's entry not in its way: each answer must still carry it.
    srv->set_override([](const stytch::mock::recorded_request&) -> std::optional<reply> {
        reply r;
        r.status = 429;
        r.headers = {{"Retry-After", "7"}};
        return r;
    });
    h2_client client(*srv);
    BOOST_TEST_REQUIRE(reset_peak_rss());
    const std::size_t rss_before = peak_rss();
    BOOST_TEST_REQUIRE(rss_before > 0u);
    const auto ids = client.submit_missing(3);
    auto done = client.run(3);
    BOOST_TEST_REQUIRE(done.size() == 3u);
    BOOST_TEST((done[ids[1]].outcome == h2_outcome::header_list_too_large));
    BOOST_TEST(done[ids[0]].status == 429);
    BOOST_TEST(done[ids[0]].retry_after == "7");
    BOOST_TEST(done[ids[2]].status == 429);
    BOOST_TEST(done[ids[2]].retry_after == "7");
    BOOST_TEST((client.session().state() == stytch::detail::h2_state::open));
    BOOST_TEST(srv->requests_received() == 3u);

    // The connection stays usable after the bomb (the HPACK state is shared by all streams).
    const auto later = client.submit(acme_id);
    done = client.run(4);
    BOOST_TEST(done[later].status == 429);
    BOOST_TEST(done[later].retry_after == "7");

    // About 20 KB on the wire for about 64 MB of header list; the client kept none of it.
    std::size_t bomb_bytes = 0;
    for (const wire_frame& f : client.connection().received().frames()) {
        if (f.stream_id == ids[1] &&
            (f.type == h2_raw::headers || f.type == h2_raw::continuation)) {
            bomb_bytes += f.length;
        }
    }
    BOOST_TEST_MESSAGE("bomb: " << bomb_bytes << " bytes of header block, peak RSS grew by "
                                << (peak_rss() - rss_before) << " bytes");
    BOOST_TEST(bomb_bytes > 16'000u);
    BOOST_TEST(bomb_bytes < 32'000u);
    BOOST_TEST(peak_rss() - rss_before < 16u * 1024 * 1024);
}

BOOST_AUTO_TEST_CASE(hpack_bomb_is_not_sent_on_a_stream_the_client_reset) {
    auto srv = h2_server([&](server_options& opts) {
        opts.h2_hpack_bomb = 1;
        opts.answer_delay = 200ms;
    });
    h2_client client(*srv);
    const auto bombed = client.submit(acme_id);
    client.flush();
    client.session().cancel(bombed);
    const auto other = client.submit("organization-test-missing");
    auto done = client.run(2);
    BOOST_TEST((done[bombed].outcome == h2_outcome::cancelled));
    BOOST_TEST(done[other].status == 404);
    const auto later = client.submit("organization-test-missing");  // answered after any bomb
    done = client.run(3);
    BOOST_TEST(done[later].status == 404);
    const frame_log& wire = client.connection().received();
    BOOST_TEST(wire.position(h2_raw::headers, bombed) == wire.frames().size());
}

BOOST_AUTO_TEST_CASE(endless_continuation_fails_the_connection_after_the_client_cap) {
    auto srv = h2_server([&](server_options& opts) { opts.h2_endless_continuation = 1; });
    {
        h2_client client(*srv);
        const auto id = client.submit(acme_id);
        // Answered at once, but not inside the header block that never ends.
        const auto other = client.submit("organization-test-missing");
        auto done = client.run(2, 5s);
        BOOST_TEST_REQUIRE(done.size() == 2u);
        BOOST_TEST((done[id].outcome == h2_outcome::connection_error));
        BOOST_TEST((done[other].outcome == h2_outcome::connection_error));
        BOOST_TEST((client.session().state() == stytch::detail::h2_state::closed));
        BOOST_TEST(client.session().connection_error() == NGHTTP2_ERR_TOO_MANY_CONTINUATIONS);
        const frame_log& wire = client.connection().received();
        const std::size_t continuations = wire.count(h2_raw::continuation);
        BOOST_TEST_MESSAGE("endless CONTINUATION: " << continuations << " frames, " << wire.bytes()
                                                    << " bytes read");
        BOOST_TEST(continuations > stytch::detail::h2_limits{}.max_continuations);
        BOOST_TEST(continuations < 20u);
        BOOST_TEST(wire.bytes() < 4096u);
        BOOST_TEST(srv->requests_received() == 2u);
    }
    // The client closed: the server stops sending and closes its side.
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (srv->connections_open() != 0 && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(10ms);
    }
    BOOST_TEST(srv->connections_open() == 0u);
}

BOOST_AUTO_TEST_SUITE_END()
