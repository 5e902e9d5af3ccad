// The sans-io HTTP/2 client session against the mock's server session in memory: answers,
// stream and connection failures, and the limits that bound what a server can make it keep.

#include <boost/test/unit_test.hpp>

#include <nghttp2/nghttp2.h>

#include <string>
#include <utility>
#include <vector>

#include <stytch/error.hpp>

#include "codec/base_url.hpp"
#include "codec/request_encoder.hpp"
#include "protocol/h2_session.hpp"
#include "unit/protocol/h2_pump.hpp"

using stytch::detail::h2_limits;
using stytch::detail::h2_outcome;
using stytch::detail::h2_result;
using stytch::detail::h2_session;
using stytch::detail::h2_state;
using stytch::detail::header_field;
using stytch::test::frame;
using stytch::test::h2_request;
using stytch::test::h2_server_config;
using stytch::test::h2_server_session;
using stytch::test::pump;

namespace {

// Header fields as the mock's server session keeps them.
using field_list = std::vector<std::pair<std::string, std::string>>;

const std::vector<header_field> request_fields = {{":method", "DELETE"},
                                                  {":scheme", "https"},
                                                  {":authority", "test.stytch.com"},
                                                  {":path", "/v1/b2b/organizations/o/external_id"}};

// Submits `n` requests; returns their stream ids.
std::vector<std::int32_t> submit(h2_session& client, int n) {
    std::vector<std::int32_t> ids;
    for (int i = 0; i < n; ++i) {
        ids.push_back(client.submit(request_fields));
        BOOST_TEST_REQUIRE(ids.back() > 0);
    }
    return ids;
}

h2_result only(const std::vector<h2_result>& results) {
    BOOST_TEST_REQUIRE(results.size() == 1u);
    return results.front();
}

constexpr std::uint8_t type_data = 0x0;
constexpr std::uint8_t type_headers = 0x1;
constexpr std::uint8_t type_settings = 0x4;
constexpr std::uint8_t type_continuation = 0x9;
constexpr std::uint8_t end_stream = 0x1;
constexpr std::uint8_t end_headers = 0x4;

// A client with stream 1 sent, after the server's (empty) SETTINGS: ready for raw frames.
void open_raw(h2_session& client) {
    submit(client, 1);
    std::string out;
    client.take_output(out);
    client.receive(frame(type_settings, 0, 0, ""));
    BOOST_TEST_REQUIRE((client.state() == h2_state::open));
}

}  // namespace

BOOST_AUTO_TEST_SUITE(h2_session_tests)

BOOST_AUTO_TEST_CASE(the_request_is_the_http1_request_as_h2_fields) {
    const auto ep = stytch::detail::parse_base_url("https://test.stytch.com:8443/pre").value();
    const stytch::detail::request_encoder enc(ep, "project-test-1", "secret", "ua/1");
    stytch::detail::encoded_request storage;
    std::vector<header_field> fields;
    stytch::b2b::delete_external_id_options options;
    options.session_jwt = "jwt";
    BOOST_TEST_REQUIRE(!enc.encode_delete_external_id_h2({"a b"}, options, storage, fields));

    h2_session client;
    h2_server_session server(h2_server_config{});
    field_list received;
    const auto id = client.submit(fields);
    pump(client, server, [&](h2_server_session& s, const h2_request& r) {
        BOOST_TEST(r.stream_id == id);
        received = {{":method", r.method},
                    {":scheme", r.scheme},
                    {":authority", r.authority},
                    {":path", r.path}};
        received.insert(received.end(), r.headers.begin(), r.headers.end());
        s.answer(r.stream_id, 200, {}, "{}");
    });
    const field_list expected = {{":method", "DELETE"},
                                 {":scheme", "https"},
                                 {":authority", "test.stytch.com:8443"},
                                 {":path", "/pre/v1/b2b/organizations/a%20b/external_id"},
                                 {"authorization", "Basic cHJvamVjdC10ZXN0LTE6c2VjcmV0"},
                                 {"content-type", "application/json"},
                                 {"user-agent", "ua/1"},
                                 {"x-stytch-member-sessionjwt", "jwt"}};
    BOOST_TEST((received == expected));
    BOOST_TEST((only(client.take_finished()).outcome == h2_outcome::answered));

    // Validated like the HTTP/1.1 request, `out` untouched on error.
    options.session_token = "t";
    BOOST_TEST((enc.encode_delete_external_id_h2({"x"}, options, storage, fields) ==
                stytch::error::conflicting_authorization));
    BOOST_TEST(fields.size() == expected.size());
    BOOST_TEST((enc.encode_delete_external_id_h2({""}, {}, storage, fields) ==
                stytch::error::empty_organization_id));
}

// The fields view the request and the encoder: they must stay right for a session token's
// header and for an encoder that was moved (its short strings move their bytes).
BOOST_AUTO_TEST_CASE(the_h2_fields_name_the_session_header_and_survive_a_moved_encoder) {
    const auto ep = stytch::detail::parse_base_url("https://test.stytch.com").value();
    stytch::detail::request_encoder original(ep, "p", "s", "ua/2");
    const stytch::detail::request_encoder enc = std::move(original);
    stytch::detail::encoded_request storage;
    std::vector<header_field> fields;
    stytch::b2b::delete_external_id_options options;
    options.session_token = "tok";
    BOOST_TEST_REQUIRE(!enc.encode_delete_external_id_h2({"o"}, options, storage, fields));
    BOOST_TEST_REQUIRE(fields.size() == 8u);
    BOOST_TEST(fields[2].value == "test.stytch.com");
    BOOST_TEST(fields[4].value == "Basic cDpz");
    BOOST_TEST(fields[5].value == "application/json");
    BOOST_TEST(fields[6].value == "ua/2");
    BOOST_TEST(fields[7].name == "x-stytch-member-session");
    BOOST_TEST(fields[7].value == "tok");
}

BOOST_AUTO_TEST_CASE(a_ping_is_acknowledged_by_the_server) {
    h2_session client;
    h2_server_session server(h2_server_config{});
    pump(client, server);
    BOOST_TEST(client.pings_acknowledged() == 0u);
    client.ping();
    pump(client, server);
    BOOST_TEST(client.pings_acknowledged() == 1u);
    BOOST_TEST((client.state() == h2_state::open));
}

BOOST_AUTO_TEST_CASE(success_and_a_4xx_with_body_and_retry_after) {
    h2_session client;
    h2_server_session server(h2_server_config{});
    submit(client, 2);
    pump(client, server, [](h2_server_session& s, const h2_request& r) {
        if (r.stream_id == 1) {
            s.answer(r.stream_id, 200, {}, R"({"status_code":200})");
        } else {
            s.answer(r.stream_id, 429, {{"retry-after", "7"}},
                     R"({"error_type":"too_many_requests"})");
        }
    });
    const auto results = client.take_finished();
    BOOST_TEST_REQUIRE(results.size() == 2u);
    BOOST_TEST((results[0].outcome == h2_outcome::answered));
    BOOST_TEST(results[0].status == 200);
    BOOST_TEST(results[0].body == R"({"status_code":200})");
    BOOST_TEST(results[0].retry_after.empty());
    BOOST_TEST((results[1].outcome == h2_outcome::answered));
    BOOST_TEST(results[1].status == 429);
    BOOST_TEST(results[1].body == R"({"error_type":"too_many_requests"})");
    BOOST_TEST(results[1].retry_after == "7");
    BOOST_TEST((client.state() == h2_state::open));
    BOOST_TEST(client.open_streams() == 0u);
}

BOOST_AUTO_TEST_CASE(a_1_mib_answer_needs_no_round_trip_for_flow_control) {
    h2_session client;  // body limit 1 MiB
    h2_server_session server(h2_server_config{});
    const std::string body(1024 * 1024, 'x');
    submit(client, 1);
    // One flight each way: the client's preface and request, then all the server can send.
    std::string out;
    client.take_output(out);
    BOOST_TEST_REQUIRE(server.receive(out));
    for (const auto& r : server.take_requests()) {
        server.answer(r.stream_id, 200, {}, body);
    }
    std::string in;
    BOOST_TEST_REQUIRE(server.take_output(in));
    client.receive(in);
    const auto r = only(client.take_finished());
    BOOST_TEST((r.outcome == h2_outcome::answered));
    BOOST_TEST(r.body.size() == body.size());
}

BOOST_AUTO_TEST_CASE(a_body_given_back_holds_the_next_answer) {
    h2_session client;
    h2_server_session server(h2_server_config{});
    const auto answer = [](h2_server_session& s, const h2_request& r) {
        s.answer(r.stream_id, 200, {}, std::string(300 - 50 * r.stream_id, 'a'));  // 250, 150
    };
    submit(client, 1);
    pump(client, server, answer);
    auto first = only(client.take_finished());
    const char* const memory = first.body.data();
    client.recycle_body(std::move(first.body));
    BOOST_TEST(client.spare_bodies() == 1u);

    submit(client, 1);  // stream 3
    pump(client, server, answer);
    const auto results = client.take_finished();  // not only(), which copies
    BOOST_TEST_REQUIRE(results.size() == 1u);
    const h2_result& second = results.front();
    BOOST_TEST((second.outcome == h2_outcome::answered));
    BOOST_TEST(second.body == std::string(150, 'a'));
    BOOST_TEST(static_cast<const void*>(second.body.data()) == static_cast<const void*>(memory));
    BOOST_TEST(client.spare_bodies() == 0u);
}

BOOST_AUTO_TEST_CASE(a_reused_body_survives_an_answer_split_into_single_bytes) {
    h2_session client;
    h2_server_session server(h2_server_config{});
    submit(client, 1);
    pump(client, server, [](h2_server_session& s, const h2_request& r) {
        s.answer(r.stream_id, 200, {}, std::string(200, 'a'));
    });
    auto first = only(client.take_finished());
    client.recycle_body(std::move(first.body));

    submit(client, 1);
    std::string out;
    client.take_output(out);
    BOOST_TEST_REQUIRE(server.receive(out));
    for (const auto& r : server.take_requests()) {
        server.answer(r.stream_id, 200, {}, std::string(120, 'b') + std::string(60, 'c'));
    }
    std::string in;
    BOOST_TEST_REQUIRE(server.take_output(in));
    for (const char byte : in) {  // every frame, the DATA one too, in one-byte reads
        client.receive(std::string_view(&byte, 1));
    }
    const auto results = client.take_finished();
    BOOST_TEST_REQUIRE(results.size() == 1u);
    BOOST_TEST((results.front().outcome == h2_outcome::answered));
    BOOST_TEST(results.front().body == std::string(120, 'b') + std::string(60, 'c'));
    BOOST_TEST(client.spare_bodies() == 0u);
}

BOOST_AUTO_TEST_CASE(bodies_kept_are_one_per_open_stream_and_four_more) {
    h2_session client;
    h2_server_session server(h2_server_config{});
    const auto ids = submit(client, 10);
    const auto answer_first_six = [&](h2_server_session& s, const h2_request& r) {
        if (r.stream_id <= ids[5]) {
            s.answer(r.stream_id, 200, {}, std::string(100, 'a'));
        }
    };
    pump(client, server, answer_first_six);
    auto finished = client.take_finished();
    BOOST_TEST_REQUIRE(finished.size() == 6u);
    for (auto& r : finished) {
        client.recycle_body(std::move(r.body));  // 4 streams open: up to 8 kept
    }
    BOOST_TEST(client.spare_bodies() == 6u);
    client.recycle_body(std::string(100, 'b'));
    client.recycle_body(std::string(100, 'b'));
    client.recycle_body(std::string(100, 'b'));  // a ninth: dropped
    BOOST_TEST(client.spare_bodies() == 8u);

    // The burst ends without a body taking a spare (refused): the session goes idle, and the
    // next body given back trims what it keeps to 4.
    for (std::size_t i = 6; i < ids.size(); ++i) {
        server.refuse(ids[i]);
    }
    pump(client, server);
    BOOST_TEST(client.take_finished().size() == 4u);
    BOOST_TEST(client.spare_bodies() == 8u);
    client.recycle_body(std::string(100, 'b'));
    BOOST_TEST(client.spare_bodies() == 4u);

    client.recycle_body(std::string());                // no memory to give: dropped
    client.recycle_body(std::string(64 * 1024, 'c'));  // over what is reserved ahead: dropped
    BOOST_TEST(client.spare_bodies() == 4u);
}

BOOST_AUTO_TEST_CASE(refused_stream_is_not_processed) {
    h2_session client;
    h2_server_session server(h2_server_config{});
    submit(client, 1);
    pump(client, server, [](h2_server_session& s, const h2_request& r) { s.refuse(r.stream_id); });
    const auto r = only(client.take_finished());
    BOOST_TEST((r.outcome == h2_outcome::refused));
    BOOST_TEST(r.error_code == NGHTTP2_REFUSED_STREAM);
    BOOST_TEST((client.state() == h2_state::open));
}

BOOST_AUTO_TEST_CASE(rst_on_one_stream_while_another_succeeds) {
    h2_session client;
    h2_server_session server(h2_server_config{});
    const auto ids = submit(client, 2);
    pump(client, server, [](h2_server_session& s, const h2_request& r) {
        if (r.stream_id == 1) {
            s.fail(r.stream_id);  // RST_STREAM INTERNAL_ERROR
        } else {
            s.answer(r.stream_id, 200, {}, "{}");
        }
    });
    const auto results = client.take_finished();
    BOOST_TEST_REQUIRE(results.size() == 2u);
    for (const auto& r : results) {
        if (r.stream_id == ids[0]) {
            BOOST_TEST((r.outcome == h2_outcome::reset));
            BOOST_TEST(r.error_code == NGHTTP2_INTERNAL_ERROR);
            BOOST_TEST(r.body.empty());
        } else {
            BOOST_TEST((r.outcome == h2_outcome::answered));
            BOOST_TEST(r.status == 200);
        }
    }
    BOOST_TEST((client.state() == h2_state::open));
    BOOST_TEST(client.submit(request_fields) > 0);  // the connection lives on
}

BOOST_AUTO_TEST_CASE(goaway_streams_above_last_stream_id_were_not_processed) {
    h2_session client;
    h2_server_session server(h2_server_config{});
    const auto ids = submit(client, 3);
    pump(client, server, [](h2_server_session& s, const h2_request& r) {
        if (r.stream_id == 3) {  // all three have arrived: answer the first, refuse the rest
            s.go_away(1);
        }
    });
    BOOST_TEST((client.state() == h2_state::draining));
    BOOST_TEST(client.goaway_last_stream_id() == 1);
    BOOST_TEST(client.submit(request_fields) == 0);  // no new stream after GOAWAY
    auto results = client.take_finished();
    BOOST_TEST_REQUIRE(results.size() == 2u);
    for (const auto& r : results) {
        BOOST_TEST((r.outcome == h2_outcome::not_processed));
        BOOST_TEST(r.stream_id > 1);
    }
    server.answer(ids[0], 200, {}, "{}");  // stream 1 still finishes, then the connection ends
    pump(client, server);
    const auto r = only(client.take_finished());
    BOOST_TEST(r.stream_id == ids[0]);
    BOOST_TEST((r.outcome == h2_outcome::answered));
    BOOST_TEST((client.state() == h2_state::closed));
    BOOST_TEST(client.connection_error() == 0);
}

BOOST_AUTO_TEST_CASE(max_concurrent_streams_is_the_servers) {
    h2_session client;
    h2_server_config config;
    config.max_concurrent_streams = 1;
    h2_server_session server(config);
    BOOST_TEST(client.max_concurrent_streams() == 100u);  // nghttp2's assumption until SETTINGS
    pump(client, server);
    BOOST_TEST(client.max_concurrent_streams() == 1u);
}

BOOST_AUTO_TEST_CASE(body_over_the_limit_resets_that_stream_only) {
    h2_limits limits;
    limits.body_limit = 1000;
    h2_session client(limits);
    h2_server_session server(h2_server_config{});
    submit(client, 2);
    pump(client, server, [](h2_server_session& s, const h2_request& r) {
        s.answer(r.stream_id, 200, {}, std::string(r.stream_id == 1 ? 1001 : 1000, 'x'));
    });
    const auto results = client.take_finished();
    BOOST_TEST_REQUIRE(results.size() == 2u);
    BOOST_TEST((results[0].outcome == h2_outcome::body_too_large));
    BOOST_TEST(results[0].body.empty());
    BOOST_TEST((results[1].outcome == h2_outcome::answered));
    BOOST_TEST(results[1].body.size() == 1000u);
    BOOST_TEST((client.state() == h2_state::open));
}

BOOST_AUTO_TEST_CASE(bodies_over_the_connection_budget_reset_the_stream_holding_the_most) {
    h2_limits limits;
    limits.body_limit = 40000;
    limits.connection_window = 1;  // taken as the body limit + 64 KiB: 105,536 bytes
    h2_session client(limits);
    const auto ids = submit(client, 3);
    std::string out;
    client.take_output(out);
    std::string wire = frame(type_settings, 0, 0, "");
    for (const auto id : ids) {
        wire += frame(type_headers, end_headers, id, "\x88");
    }
    // Four rounds of 10,000 bytes on each stream: 120,000 held when none has ended.
    for (int round = 0; round < 4; ++round) {
        for (const auto id : ids) {
            wire += frame(type_data, 0, id, std::string(10000, 'x'));
        }
    }
    client.receive(wire);
    const auto reset = only(client.take_finished());
    BOOST_TEST(reset.stream_id == ids[0]);
    BOOST_TEST((reset.outcome == h2_outcome::body_too_large));
    BOOST_TEST(!reset.reason.empty());
    BOOST_TEST((client.state() == h2_state::open));
    // The other two, at 80,000 held, go on and end.
    client.receive(frame(type_data, end_stream, ids[1], "") +
                   frame(type_data, end_stream, ids[2], ""));
    const auto rest = client.take_finished();
    BOOST_TEST_REQUIRE(rest.size() == 2u);
    for (const auto& r : rest) {
        BOOST_TEST((r.outcome == h2_outcome::answered));
        BOOST_TEST(r.body.size() == 40000u);
    }
}

BOOST_AUTO_TEST_CASE(huge_header_list_resets_the_stream_hpack_bomb) {
    h2_session client;
    open_raw(client);
    // :status 200, then a 4000-byte field added to the HPACK table, then 16,000 one-byte
    // references to it: 64 MB of header list from 20 KB on the wire.
    std::string block = "\x88";
    block += "\x40\x05x-big\x7f\xa1\x1e";  // literal with indexing, value length 4000
    block += std::string(4000, 'a');
    block += std::string(16000, '\xbe');  // index 62: the entry just added
    std::string wire;
    const std::size_t first = 16384 - 1000;
    wire += frame(type_headers, end_stream, 1, block.substr(0, first));
    wire += frame(type_continuation, end_headers, 1, block.substr(first));
    client.receive(wire);
    const auto r = only(client.take_finished());
    BOOST_TEST((r.outcome == h2_outcome::header_list_too_large));
    BOOST_TEST((client.state() == h2_state::open));  // a stream error, not a connection error
}

BOOST_AUTO_TEST_CASE(endless_continuation_frames_fail_the_connection) {
    h2_session client;
    open_raw(client);
    std::string wire = frame(type_headers, end_stream, 1, "\x88");
    for (int i = 0; i < 10000; ++i) {
        wire += frame(type_continuation, 0, 1, "");
    }
    client.receive(wire);
    const auto r = only(client.take_finished());
    BOOST_TEST((r.outcome == h2_outcome::connection_error));
    BOOST_TEST((client.state() == h2_state::closed));
    BOOST_TEST(client.connection_error() == NGHTTP2_ERR_TOO_MANY_CONTINUATIONS);
    client.receive(frame(type_settings, 0, 0, ""));  // ignored once closed
    BOOST_TEST(client.take_finished().empty());
}

BOOST_AUTO_TEST_CASE(the_continuation_limit_is_the_configured_one) {
    for (const int continuations : {2, 3}) {
        h2_limits limits;
        limits.max_continuations = 2;
        h2_session client(limits);
        open_raw(client);
        std::string wire = frame(type_headers, end_stream, 1, "\x88");
        for (int i = 1; i <= continuations; ++i) {
            wire += frame(type_continuation, i == continuations ? end_headers : 0, 1, "");
        }
        client.receive(wire);
        BOOST_TEST((only(client.take_finished()).outcome ==
                    (continuations == 2 ? h2_outcome::answered : h2_outcome::connection_error)));
    }
}

BOOST_AUTO_TEST_CASE(cancel_resets_one_stream) {
    h2_session client;
    h2_server_session server(h2_server_config{});
    const auto ids = submit(client, 2);
    client.cancel(ids[0]);
    client.cancel(ids[0]);  // once only
    const auto r = only(client.take_finished());
    BOOST_TEST(r.stream_id == ids[0]);
    BOOST_TEST((r.outcome == h2_outcome::cancelled));
    pump(client, server);
    BOOST_TEST(client.open_streams() == 1u);
    BOOST_TEST((client.state() == h2_state::open));
}

BOOST_AUTO_TEST_CASE(connection_lost_ends_every_open_stream) {
    h2_session client;
    h2_server_session server(h2_server_config{});
    submit(client, 2);
    pump(client, server);
    client.connection_lost();
    const auto results = client.take_finished();
    BOOST_TEST_REQUIRE(results.size() == 2u);
    for (const auto& r : results) {
        BOOST_TEST((r.outcome == h2_outcome::connection_error));
    }
    BOOST_TEST((client.state() == h2_state::closed));
    BOOST_TEST(client.submit(request_fields) == 0);
}

BOOST_AUTO_TEST_CASE(state_transitions) {
    using stytch::detail::h2_event;
    using stytch::detail::next_state;
    BOOST_TEST((next_state(h2_state::open, h2_event::goaway_received) == h2_state::draining));
    BOOST_TEST((next_state(h2_state::draining, h2_event::goaway_received) == h2_state::draining));
    BOOST_TEST((next_state(h2_state::open, h2_event::connection_failed) == h2_state::closed));
    BOOST_TEST((next_state(h2_state::draining, h2_event::ended) == h2_state::closed));
    BOOST_TEST((next_state(h2_state::closed, h2_event::goaway_received) == h2_state::closed));
}

BOOST_AUTO_TEST_SUITE_END()
