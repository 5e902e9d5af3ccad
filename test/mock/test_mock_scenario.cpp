// The stytch-mock executable's scenario (tools/stytch-mock/src/scenario.*) and request log
// (src/request_log.*) on the library they drive: each fault seen by the real client or on raw
// TLS, each log line checked; and what add_organization accepts against the client's decoder.
// test_mock_binary.sh runs the same through the executable's flags.

#include <boost/test/unit_test.hpp>

#include <stytch/client.hpp>
#include <stytch/mock/server.hpp>

#include "codec/response_decoder.hpp"
#include "mock/support.hpp"
#include "request_log.hpp"
#include "scenario.hpp"
#include "support/calls.hpp"
#include "support/server.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/json.hpp>

#include <chrono>
#include <functional>
#include <mutex>
#include <sstream>
#include <string>
#include <vector>

namespace {

namespace asio = boost::asio;
namespace ssl = asio::ssl;
namespace json = boost::json;
namespace detail = stytch::mock::detail;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;
using stytch::mock::server;
using stytch::mock::server_options;
using stytch::test::first_org;
using stytch::test::server_fixture;

// What the server did with each request, and the log it wrote.
struct observed {
    struct entry {
        int status;
        std::chrono::system_clock::time_point received_at;
        std::chrono::steady_clock::duration duration;
    };
    std::mutex mutex;
    std::vector<entry> entries;
    std::ostringstream text;
    detail::request_log log{text};

    void record(const stytch::mock::answered_request& a) {
        log.write(a);
        std::lock_guard lock(mutex);
        entries.push_back({a.status, a.received_at, a.duration});
    }
    std::vector<entry> snapshot() {
        std::lock_guard lock(mutex);
        return entries;
    }
    // The server reports a request once its write completed, which may be after the client
    // read the answer: wait for the report itself.
    std::vector<entry> wait_for(std::size_t n) {
        BOOST_TEST(stytch::test::eventually([&] { return snapshot().size() >= n; }));
        return snapshot();
    }
    std::vector<json::object> lines() {
        std::vector<json::object> out;
        std::istringstream in(text.str());
        for (std::string line; std::getline(in, line);) {
            out.push_back(json::parse(line).as_object());
        }
        return out;
    }
};

// A fixture server playing `scenario_json`, reporting into `seen`.
struct scenario_fixture {
    explicit scenario_fixture(const std::string& scenario_json, server_options opts = {})
        : f(options(scenario_json, std::move(opts))) {
        f.server.set_override(detail::make_hook(s));
    }
    server_options options(const std::string& scenario_json, server_options opts) {
        detail::merge_scenario(json::parse(scenario_json), s);
        detail::apply_to_options(s, opts);
        opts.on_answered = [this](const stytch::mock::answered_request& a) { seen.record(a); };
        return opts;
    }
    detail::scenario s;
    observed seen;
    server_fixture f;
};

std::string basic_credentials() {
    const server_options defaults;
    return stytch::mock::testing::base64(defaults.project_id + ":" + defaults.secret);
}

std::string delete_request(const std::string& id = first_org) {
    return "DELETE /v1/b2b/organizations/" + id +
           "/external_id HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Basic " +
           basic_credentials() + "\r\nContent-Length: 0\r\n\r\n";
}

// What a raw TLS client read after sending one request.
struct capture {
    std::string bytes;
    std::vector<std::chrono::steady_clock::time_point> reads;  // when each read returned
    boost::system::error_code end;                             // how reading ended
    bool timed_out = false;                                    // `limit` passed first
};

// Sends `request` on a fresh TLS connection and reads until `enough(bytes)`, an error, or
// `limit`.
capture raw_exchange(const server& srv, const std::string& request, std::chrono::milliseconds limit,
                     std::function<bool(const std::string&)> enough = nullptr) {
    asio::io_context ioc;
    ssl::context ctx(ssl::context::tls_client);
    ctx.add_certificate_authority(asio::buffer(srv.identity().ca_certificate_pem));
    ctx.set_verify_mode(ssl::verify_peer);
    ssl::stream<tcp::socket> stream(ioc, ctx);
    capture c;
    bool done = false;
    asio::co_spawn(
        ioc,
        [&]() -> asio::awaitable<void> {
            const tcp::endpoint at{asio::ip::make_address("127.0.0.1"), srv.port()};
            co_await stream.next_layer().async_connect(at, asio::use_awaitable);
            co_await stream.async_handshake(ssl::stream_base::client, asio::use_awaitable);
            co_await asio::async_write(stream, asio::buffer(request), asio::use_awaitable);
            std::array<char, 4096> buffer;
            for (;;) {
                auto [ec, n] = co_await stream.async_read_some(asio::buffer(buffer),
                                                               asio::as_tuple(asio::use_awaitable));
                c.bytes.append(buffer.data(), n);
                c.reads.push_back(std::chrono::steady_clock::now());
                if (ec || (enough && enough(c.bytes))) {
                    c.end = ec;
                    break;
                }
            }
            done = true;
        },
        [&](std::exception_ptr e) {
            if (e) {  // connect, handshake or write failed
                c.end = asio::error::not_connected;
                done = true;
            }
        });
    ioc.run_for(limit);
    c.timed_out = !done;
    return c;
}

// The Content-Length of the first answer in `bytes`, and where its body starts.
std::pair<std::size_t, std::size_t> framing(const std::string& bytes) {
    const auto head_end = bytes.find("\r\n\r\n");
    const auto at = bytes.find("Content-Length: ");
    BOOST_REQUIRE(head_end != std::string::npos && at != std::string::npos && at < head_end);
    return {std::stoul(bytes.substr(at + 16)), head_end + 4};
}

bool holds_whole_answer(const std::string& bytes) {
    const auto head_end = bytes.find("\r\n\r\n");
    if (head_end == std::string::npos) {
        return false;
    }
    const auto [length, body] = framing(bytes);
    return bytes.size() >= body + length;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(scenario)

BOOST_AUTO_TEST_CASE(status_sequence_with_retry_after_is_played_in_order_to_the_real_client) {
    scenario_fixture s(R"({"sequence": ["429:1", {"status": 503}, "ok"]})");
    stytch::client c(s.f.ioc.get_executor(), stytch::test::fast_config(s.f));
    const auto r = stytch::test::call(s.f, c);
    BOOST_TEST_REQUIRE(r.has_value());  // 429 and 503 retried, the third attempt answered
    BOOST_TEST(r->organization.organization_id == first_org);

    const auto entries = s.seen.wait_for(3);
    BOOST_TEST_REQUIRE(entries.size() == 3u);
    BOOST_TEST(entries[0].status == 429);
    BOOST_TEST(entries[1].status == 503);
    BOOST_TEST(entries[2].status == 200);
    // The client waited the Retry-After second (its own backoff is 1-4 ms).
    BOOST_TEST((entries[1].received_at - entries[0].received_at >= 1s));
    BOOST_TEST((entries[2].received_at - entries[1].received_at < 1s));
    // Past the sequence: the normal handling.
    const auto replay = raw_exchange(s.f.server, delete_request(), 5s, holds_whole_answer);
    BOOST_TEST(replay.bytes.starts_with("HTTP/1.1 200"));
}

BOOST_AUTO_TEST_CASE(a_status_step_sends_stytch_error_json_and_retry_after) {
    scenario_fixture s(R"({"sequence": ["429:7", "502"]})");
    auto first = raw_exchange(s.f.server, delete_request(), 5s, holds_whole_answer);
    BOOST_TEST(first.bytes.starts_with("HTTP/1.1 429"));
    BOOST_TEST(first.bytes.find("\r\nRetry-After: 7\r\n") != std::string::npos);
    const auto [length, body] = framing(first.bytes);
    const auto error = json::parse(first.bytes.substr(body, length)).as_object();
    BOOST_TEST(error.at("status_code").as_int64() == 429);
    BOOST_TEST(error.at("error_type").as_string() == "too_many_requests");
    auto second = raw_exchange(s.f.server, delete_request(), 5s, holds_whole_answer);
    BOOST_TEST(second.bytes.starts_with("HTTP/1.1 502"));
    BOOST_TEST(second.bytes.find("Retry-After") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(drop_and_reset_close_without_an_answer) {
    scenario_fixture s(R"({"sequence": ["drop", "reset"]})");
    const auto dropped = raw_exchange(s.f.server, delete_request(), 5s);
    BOOST_TEST(!dropped.timed_out);
    BOOST_TEST(dropped.bytes.empty());
    BOOST_TEST((dropped.end == asio::error::eof || dropped.end == ssl::error::stream_truncated),
               dropped.end.message());
    const auto reset = raw_exchange(s.f.server, delete_request(), 5s);
    BOOST_TEST(!reset.timed_out);
    BOOST_TEST(reset.bytes.empty());
    BOOST_TEST((reset.end == asio::error::connection_reset), reset.end.message());
    const auto entries = s.seen.wait_for(2);
    BOOST_TEST_REQUIRE(entries.size() == 2u);
    BOOST_TEST(entries[0].status == 0);  // logged as "status": null
    BOOST_TEST(entries[1].status == 0);
}

BOOST_AUTO_TEST_CASE(truncate_cuts_the_announced_body) {
    scenario_fixture s(R"({"sequence": [{"fault": "truncate", "bytes": 40}, "truncate"]})");
    for (const bool explicit_size : {true, false}) {
        const auto c = raw_exchange(s.f.server, delete_request(), 5s);
        BOOST_TEST(!c.timed_out);
        BOOST_TEST(c.bytes.starts_with("HTTP/1.1 200"));
        const auto [length, body] = framing(c.bytes);
        BOOST_TEST(c.bytes.size() - body == (explicit_size ? 40u : length / 2));
        BOOST_TEST(c.end);  // then the connection closes
    }
    // The real client sees a broken answer.
    scenario_fixture again(R"({"sequence": ["truncate"]})");
    auto cfg = stytch::test::fast_config(again.f);
    cfg.retry.max_attempts = 1;
    stytch::client c(again.f.ioc.get_executor(), cfg);
    BOOST_TEST(!stytch::test::call(again.f, c).has_value());
}

BOOST_AUTO_TEST_CASE(stray_sends_an_unsolicited_second_answer) {
    scenario_fixture s(R"({"sequence": ["stray"]})");
    const auto two_answers = [](const std::string& bytes) {
        const auto second = bytes.find("HTTP/1.1 ", 1);
        return second != std::string::npos && holds_whole_answer(bytes.substr(second));
    };
    const auto c = raw_exchange(s.f.server, delete_request(), 5s, two_answers);
    BOOST_TEST_REQUIRE(!c.timed_out);
    const auto [length, body] = framing(c.bytes);
    const auto answer = json::parse(c.bytes.substr(body, length)).as_object();
    BOOST_TEST(answer.at("organization").at("organization_id").as_string() == first_org);
    BOOST_TEST(c.bytes.substr(body + length).starts_with("HTTP/1.1 200"));
}

BOOST_AUTO_TEST_CASE(slow_body_trickles_the_normal_answer) {
    scenario_fixture s(
        R"({"sequence": [{"fault": "slow_body", "piece": 256, "interval_ms": 20}]})");
    const auto c = raw_exchange(s.f.server, delete_request(), 30s, holds_whole_answer);
    BOOST_TEST_REQUIRE(!c.timed_out);
    const auto [length, body] = framing(c.bytes);
    const auto answer = json::parse(c.bytes.substr(body, length)).as_object();
    BOOST_TEST(answer.at("organization").at("organization_id").as_string() == first_org);
    const std::size_t pieces = (length + 255) / 256;
    BOOST_TEST_REQUIRE(pieces >= 3u);
    // Each piece waited its interval: the body took at least (pieces - 1) intervals after the
    // head, and arrived in several reads.
    BOOST_TEST(c.reads.size() >= pieces);
    BOOST_TEST((c.reads.back() - c.reads.front() >= (pieces - 1) * 20ms));
}

BOOST_AUTO_TEST_CASE(stall_never_answers) {
    scenario_fixture s(R"({"sequence": ["stall"]})");
    const auto c = raw_exchange(s.f.server, delete_request(), 300ms);
    BOOST_TEST(c.timed_out);
    BOOST_TEST(c.bytes.empty());
}

BOOST_AUTO_TEST_CASE(repeat_plays_the_sequence_again) {
    scenario_fixture s(R"({"sequence": ["503", "ok"], "repeat": true})");
    for (const char* status : {"HTTP/1.1 503", "HTTP/1.1 200", "HTTP/1.1 503", "HTTP/1.1 200"}) {
        const auto c = raw_exchange(s.f.server, delete_request("globex"), 5s, holds_whole_answer);
        BOOST_TEST(c.bytes.starts_with(status));
    }
}

BOOST_AUTO_TEST_CASE(fixed_latency_delays_every_answer) {
    scenario_fixture s(R"({"latency_ms": 120})");
    stytch::client c(s.f.ioc.get_executor(), stytch::test::fast_config(s.f));
    const auto start = std::chrono::steady_clock::now();
    BOOST_TEST_REQUIRE(stytch::test::call(s.f, c).has_value());
    BOOST_TEST((std::chrono::steady_clock::now() - start >= 120ms));
    const auto entries = s.seen.wait_for(1);
    BOOST_TEST_REQUIRE(entries.size() == 1u);
    BOOST_TEST((entries[0].duration >= 120ms));
}

BOOST_AUTO_TEST_CASE(uniform_latency_spreads_over_the_range) {
    scenario_fixture s(R"({"latency_ms": {"min": 20, "max": 60}})");
    BOOST_TEST(s.f.server.port() != 0);
    for (int i = 0; i < 40; ++i) {
        const auto c = raw_exchange(s.f.server, delete_request("globex"), 5s, holds_whole_answer);
        BOOST_TEST_REQUIRE(c.bytes.starts_with("HTTP/1.1 "));
    }
    const auto entries = s.seen.wait_for(40);
    BOOST_TEST_REQUIRE(entries.size() == 40u);
    std::size_t low = 0;
    std::size_t high = 0;
    for (const auto& e : entries) {
        BOOST_TEST((e.duration >= 20ms));
        BOOST_TEST((e.duration < 60ms + 500ms));  // the draw, plus the time to answer
        low += e.duration < 36ms ? 1 : 0;
        high += e.duration >= 50ms ? 1 : 0;
    }
    // A fixed delay would put all 40 on one side; uniform draws miss either band with a
    // probability below 1e-5.
    BOOST_TEST(low > 0u);
    BOOST_TEST(high > 0u);
}

BOOST_AUTO_TEST_CASE(goaway_after_makes_the_real_client_open_a_new_connection) {
    server_options opts;
    opts.alpn = {"h2", "http/1.1"};
    scenario_fixture s(R"({"goaway_after": 2})", opts);
    auto cfg = stytch::test::fast_config(s.f);
    cfg.http_version = stytch::http_version::http2;
    stytch::client c(s.f.ioc.get_executor(), cfg);
    for (const char* id : {first_org, "globex", "initech"}) {
        BOOST_TEST_REQUIRE(stytch::test::call(s.f, c, id).has_value());
    }
    // The second request got the GOAWAY: the third went on a new connection.
    BOOST_TEST(s.f.server.connections_accepted() == 2u);
    s.seen.wait_for(3);
    const auto lines = s.seen.lines();
    BOOST_TEST_REQUIRE(lines.size() == 3u);
    BOOST_TEST(lines[2].at("protocol").as_string() == "HTTP/2");
    BOOST_TEST(lines[2].at("connection").as_int64() != lines[0].at("connection").as_int64());
}

BOOST_AUTO_TEST_CASE(the_log_has_one_line_per_request_with_the_secrets_masked) {
    scenario_fixture s(R"({"sequence": ["503", "drop"]})");
    auto cfg = stytch::test::fast_config(s.f);
    stytch::client c(s.f.ioc.get_executor(), cfg);
    stytch::b2b::delete_external_id_options opts;
    opts.session_token = "session-token-very-secret";
    const stytch::b2b::delete_external_id_request request{first_org};
    const auto r = s.f.run(c.organizations().async_delete_external_id(
        request, opts, stytch::as_result(asio::use_awaitable)));
    BOOST_TEST_REQUIRE(r.has_value());
    s.f.server.stop();  // every line written

    const std::string text = s.seen.text.str();
    BOOST_TEST(text.find(basic_credentials()) == std::string::npos);
    BOOST_TEST(text.find("session-token-very-secret") == std::string::npos);
    BOOST_TEST(text.find(server_options{}.secret) == std::string::npos);
    const auto lines = s.seen.lines();  // each line is one JSON object
    BOOST_TEST_REQUIRE(lines.size() == s.f.server.requests_received());
    BOOST_TEST_REQUIRE(lines.size() == 3u);
    const std::vector<json::value> statuses = {503, nullptr, 200};
    for (std::size_t i = 0; i < lines.size(); ++i) {
        const json::object& line = lines[i];
        BOOST_TEST_CONTEXT("line " << i << ": " << json::serialize(line)) {
            BOOST_TEST(line.size() == 8u);
            BOOST_TEST(line.at("method").as_string() == "DELETE");
            BOOST_TEST(line.at("path").as_string() ==
                       std::string("/v1/b2b/organizations/") + first_org + "/external_id");
            BOOST_TEST(line.at("protocol").as_string() == "HTTP/1.1");
            BOOST_TEST(line.at("status") == statuses[i]);
            BOOST_TEST(line.at("duration_us").as_int64() >= 0);
            BOOST_TEST(line.at("connection").as_int64() >= 1);
            const json::object& headers = line.at("headers").as_object();
            BOOST_TEST(headers.at("Authorization").as_string() == "Basic ***");
            BOOST_TEST(headers.at("X-Stytch-Member-Session").as_string() == "***");
            BOOST_TEST(headers.at("User-Agent").as_string().starts_with("Stytch C++"));
            // 2026-12-06T16:30:00.123Z
            const std::string time(line.at("time").as_string());
            BOOST_TEST(time.size() == 24u);
            BOOST_TEST(time.ends_with("Z"));
            BOOST_TEST(time[10] == 'T');
        }
    }
}

BOOST_AUTO_TEST_CASE(masking_keeps_only_the_scheme_of_credentials) {
    BOOST_TEST(detail::masked_header_value("authorization", "Basic abc") == "Basic ***");
    BOOST_TEST(detail::masked_header_value("Proxy-Authorization", "Bearer x") == "Bearer ***");
    BOOST_TEST(detail::masked_header_value("Authorization", "token") == "***");
    BOOST_TEST(detail::masked_header_value("x-stytch-member-sessionjwt", "eyJ") == "***");
    BOOST_TEST(detail::masked_header_value("Cookie", "a=b") == "***");
    BOOST_TEST(detail::masked_header_value("Host", "127.0.0.1") == "127.0.0.1");
}

BOOST_AUTO_TEST_CASE(flags_and_documents_parse_into_one_scenario) {
    auto steps =
        detail::parse_sequence("ok,429:2,503,drop,reset,truncate:9,stray,slow_body:8:30,stall");
    BOOST_TEST_REQUIRE(steps.size() == 9u);
    using kind = detail::scenario_step::kind;
    BOOST_TEST((steps[0].action == kind::normal));
    BOOST_TEST(
        (steps[1].action == kind::status && steps[1].status == 429 && steps[1].retry_after == "2"));
    BOOST_TEST((steps[2].status == 503 && steps[2].retry_after.empty()));
    BOOST_TEST((steps[5].action == kind::truncate && steps[5].bytes == 9u));
    BOOST_TEST((steps[7].piece == 8u && steps[7].interval == 30ms));
    BOOST_TEST((steps[8].action == kind::stall));

    detail::scenario s;
    detail::parse_latency_range("5:15", s);
    BOOST_TEST((s.latency == 5ms && s.latency_max == 15ms));
    server_options opts;
    detail::apply_to_options(s, opts);
    BOOST_TEST((opts.answer_delay == 5ms && opts.answer_delay_max == 15ms));

    for (const char* bad : {"", "200", "600", "42x", "429:", "slow_body:1", "drop:1", "nope"}) {
        BOOST_TEST_CONTEXT(bad) {
            BOOST_CHECK_THROW(detail::parse_step(bad), std::invalid_argument);
        }
    }
    BOOST_CHECK_THROW(detail::parse_latency_range("9:3", s), std::invalid_argument);
    const std::vector<std::pair<std::string, std::string>> documents = {
        {R"([1])", "a scenario is a JSON object"},
        {R"({"latency": 5})", "unknown member 'latency'"},
        {R"({"latency_ms": -1})", "latency_ms"},
        {R"({"sequence": ["ok", {"status": 200}]})", "sequence[1].status"},
        {R"({"sequence": [{"fault": "drop", "bytes": 3}]})", "sequence[0].bytes"},
        {R"({"sequence": ["429:x"]})", "sequence[0]"},
        {R"({"repeat": 1})", "repeat"},
    };
    for (const auto& [text, named] : documents) {
        BOOST_TEST_CONTEXT(text) {
            try {
                detail::scenario ignored;
                detail::merge_scenario(json::parse(text), ignored);
                BOOST_ERROR("accepted");
            } catch (const std::invalid_argument& e) {
                BOOST_TEST(std::string(e.what()).find(named) != std::string::npos, e.what());
            }
        }
    }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(organizations)

// add_organization accepts exactly what the client's decoder accepts.
BOOST_AUTO_TEST_CASE(add_organization_refuses_what_the_client_cannot_decode) {
    auto srv = stytch::mock::testing::seeded_server();
    const json::object sample = *srv->find_organization("acme-corp");
    const auto decodes = [](const json::object& organization) {
        const json::object answer{{"request_id", "request-id-test-1"},
                                  {"status_code", 200},
                                  {"organization", organization}};
        stytch::b2b::delete_external_id_response out;
        return !stytch::detail::decode_delete_external_id(200, json::serialize(answer), out);
    };
    BOOST_TEST_REQUIRE(decodes(sample));

    struct spoil_case {
        std::function<void(json::object&)> spoil;
        std::string reason;
    };
    const std::vector<spoil_case> cases = {
        {[](json::object& o) { o.erase("organization_name"); }, "organization_name is missing"},
        {[](json::object& o) { o["auth_methods"] = nullptr; }, "auth_methods is missing"},
        {[](json::object& o) {
             o["custom_roles"] = json::array{json::object{{"role_id", "r"}}};
         },
         "custom_roles[0].description is missing"},
        {[](json::object& o) { o["created_at"] = 5; }, "created_at is not a string"},
        {[](json::object& o) { o["organization_external_id"] = json::array{}; },
         "organization_external_id is not a string"},
        {[](json::object& o) { o["trusted_metadata"] = "x"; }, "trusted_metadata is not an object"},
        {[](json::object& o) { o["allowed_oauth_tenants"] = 1; },
         "allowed_oauth_tenants is not an object"},
        {[](json::object& o) {
             o["scim_active_connection"] = json::object{
                 {"connection_id", "c"}, {"display_name", "d"}, {"bearer_token_last_four", 1}};
         },
         "scim_active_connection.bearer_token_last_four is not a string"},
    };
    for (const auto& c : cases) {
        const std::string id = "organization-test-spoiled-" + c.reason;
        BOOST_TEST_CONTEXT(c.reason) {
            json::object spoiled = sample;
            spoiled["organization_id"] = id;
            c.spoil(spoiled);
            BOOST_TEST(!decodes(spoiled));  // the client refuses it...
            try {
                srv->add_organization(spoiled);  // ...and so does the mock, saying why
                BOOST_ERROR("accepted");
            } catch (const std::invalid_argument& e) {
                BOOST_TEST(std::string(e.what()).ends_with(c.reason), e.what());
            }
            BOOST_TEST(!srv->find_organization(id).has_value());
            // On purpose, a test may still serve it.
            srv->add_organization(spoiled, server::seed_check::id_only);
            BOOST_TEST(srv->find_organization(id).has_value());
        }
    }
    // Optional members absent or null are fine for both.
    json::object lean = sample;
    lean["organization_id"] = "organization-test-lean";
    lean.erase("trusted_metadata");
    lean["created_at"] = nullptr;
    lean["scim_active_connection"] = nullptr;
    BOOST_TEST(decodes(lean));
    srv->add_organization(lean);
    BOOST_TEST(srv->find_organization("organization-test-lean").has_value());
}

BOOST_AUTO_TEST_CASE(after_a_delete_store_and_answer_both_lack_the_external_id) {
    server_fixture f;
    BOOST_TEST_REQUIRE(f.server.find_organization(first_org)->contains("organization_external_id"));
    const std::string external(
        f.server.find_organization(first_org)->at("organization_external_id").as_string());
    stytch::client c(f.ioc.get_executor(), stytch::test::fast_config(f));
    const auto r = stytch::test::call(f, c, external);  // by its external id
    BOOST_TEST_REQUIRE(r.has_value());
    BOOST_TEST(r->organization.organization_id == first_org);
    BOOST_TEST(!r->organization.organization_external_id.has_value());
    BOOST_TEST(!f.server.find_organization(first_org)->contains("organization_external_id"));
    // The raw answer leaves the member out, as the stored record does.
    const auto raw = raw_exchange(f.server, delete_request(), 5s, holds_whole_answer);
    const auto [length, body] = framing(raw.bytes);
    const auto answer = json::parse(raw.bytes.substr(body, length)).as_object();
    BOOST_TEST(answer.at("organization").as_object() == *f.server.find_organization(first_org));
    BOOST_TEST(!answer.at("organization").as_object().contains("organization_external_id"));
    // The external id no longer names it.
    const auto again = stytch::test::call(f, c, external);
    BOOST_TEST_REQUIRE(!again.has_value());
    BOOST_TEST(again.error().details.status_code == 404);
}

BOOST_AUTO_TEST_SUITE_END()
