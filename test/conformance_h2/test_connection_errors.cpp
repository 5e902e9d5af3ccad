// Connection errors (RFC 9113 §5.4.1): frames that break the whole connection. The client
// sends GOAWAY with the error code, closes the TCP connection, and completes every call on it
// at once; a call whose answer had not begun follows the retry policy like any transport
// failure (the DELETE is idempotent).

#include <boost/test/unit_test.hpp>

#include "conformance_h2/fixture.hpp"

using namespace stytch;
using namespace stytch::test::h2;

namespace {

// A script: the request gets `bad` (built for its stream id); then the script reads what the
// client sends until it closes. The client may close while `bad` is still being written: it
// may act on the first part of it (a header block too large to decode).
script_server::script bad_frames(moment& sent, seen& client,
                                 std::function<std::string(std::int32_t)> bad) {
    return [&sent, &client, bad = std::move(bad)](peer& p) {
        p.start();
        const auto id = p.next_request();
        sent.mark();
        p.send_unless_closed(bad(id));
        client.until_closed(p);
    };
}

// A good answer on every stream, for the connection a retry opens.
void serves(peer& p) {
    p.start();
    for (;;) {
        p.send(answer(p.next_request(), 200, ok_body()));
    }
}

// Without retries, the call fails within 50 ms of the bad bytes with `http2_protocol_error`
// naming `code_name`; the server sees a GOAWAY with `code`, then the TCP connection close,
// within 50 ms too.
void fails_the_connection(std::function<std::string(std::int32_t)> bad, std::uint32_t code,
                          std::string_view code_name) {
    moment sent;
    seen client;
    script_server server({bad_frames(sent, client, std::move(bad))});
    script_client f(server);
    const auto o = f.call();
    BOOST_TEST_REQUIRE(!o.r.has_value());
    BOOST_TEST(o.r.error().code == error::http2_protocol_error, o.r.error().code.message());
    BOOST_TEST(o.r.error().details.error_type == code_name);
    BOOST_TEST(!o.r.error().details.error_message.empty());
    BOOST_TEST(o.after(sent).count() < 50, o.after(sent).count() << " ms");
    BOOST_TEST(f.finish(server));  // the client closed: the script saw it
    BOOST_TEST(server.failures().empty(), failures_of(server));
    std::lock_guard<std::mutex> held(client.mutex);
    BOOST_TEST_REQUIRE(client.goaway.has_value());
    BOOST_TEST(client.goaway->error_code() == code);
    BOOST_TEST(client.closed);
    BOOST_TEST((client.closed_at - sent.at()) < milliseconds(50));
}

constexpr std::uint32_t protocol_error = 0x1;
constexpr std::uint32_t flow_control_error = 0x3;
constexpr std::uint32_t compression_error = 0x9;

std::string push_promise_on(std::int32_t id) {
    const std::string request =
        hpack::literal(":method", "GET") + hpack::literal(":scheme", "https") +
        hpack::literal(":authority", "127.0.0.1") + hpack::literal(":path", "/pushed");
    return frame(push_promise, end_headers, id, u32(2) + request);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(connection_errors)

BOOST_AUTO_TEST_CASE(a_push_promise_with_push_disabled_ends_the_connection_at_once) {
    fails_the_connection(push_promise_on, protocol_error, "PROTOCOL_ERROR");
}

BOOST_AUTO_TEST_CASE(a_connection_window_update_that_overflows_ends_the_connection_at_once) {
    fails_the_connection([](std::int32_t) { return frame(window_update, 0, 0, u32(0x7fffffff)); },
                         flow_control_error, "FLOW_CONTROL_ERROR");
}

BOOST_AUTO_TEST_CASE(headers_on_a_stream_never_opened_end_the_connection_at_once) {
    fails_the_connection(
        [](std::int32_t id) {
            return frame(headers, end_headers | end_stream, id + 2, hpack::status(200));
        },
        protocol_error, "PROTOCOL_ERROR");
}

BOOST_AUTO_TEST_CASE(data_on_a_stream_never_opened_ends_the_connection_at_once) {
    fails_the_connection([](std::int32_t id) { return frame(data, end_stream, id + 4, "{}"); },
                         protocol_error, "PROTOCOL_ERROR");
}

BOOST_AUTO_TEST_CASE(a_header_field_too_large_to_decode_ends_the_connection_at_once) {
    // One literal field of 70,000 bytes: more than nghttp2's HPACK decoder holds for a field.
    fails_the_connection(
        [](std::int32_t id) {
            const std::string block =
                hpack::status(200) + hpack::literal("x-big", std::string(70000, 'a'));
            std::string wire = frame(headers, end_stream, id, block.substr(0, 16384));
            for (std::size_t at = 16384; at < block.size(); at += 16384) {
                const bool last = at + 16384 >= block.size();
                wire += frame(continuation, last ? end_headers : 0, id, block.substr(at, 16384));
            }
            return wire;
        },
        compression_error, "COMPRESSION_ERROR");
}

BOOST_AUTO_TEST_CASE(a_call_whose_answer_had_not_begun_is_retried_on_a_new_connection) {
    moment sent;
    seen client;
    script_server server({bad_frames(sent, client, push_promise_on), serves});
    script_client f(server, 3);
    const auto o = f.call();
    BOOST_TEST(o.r.has_value(), o.r.error().code.message());
    BOOST_TEST(server.connections_accepted() == 2u);
    f.c.reset();
}

BOOST_AUTO_TEST_CASE(a_call_whose_answer_had_begun_is_not_retried) {
    moment sent;
    seen client;
    script_server server({bad_frames(sent, client,
                                     [](std::int32_t id) {
                                         return frame(headers, end_headers, id,
                                                      hpack::status(200)) +
                                                push_promise_on(id);
                                     }),
                          serves});
    script_client f(server, 3);
    const auto o = f.call();
    BOOST_TEST_REQUIRE(!o.r.has_value());
    BOOST_TEST(o.r.error().code == error::http2_protocol_error, o.r.error().code.message());
    BOOST_TEST(server.connections_accepted() == 1u);
}

BOOST_AUTO_TEST_SUITE_END()
