// Stream errors (RFC 9113 §5.4.2): an answer that breaks HTTP/2 on one stream. The client
// resets that stream at once, its call fails at once with `http2_protocol_error` naming the
// HTTP/2 error code and nghttp2's reason, and the connection and its other calls go on.

#include <boost/test/unit_test.hpp>

#include <thread>

#include "conformance_h2/fixture.hpp"

using namespace stytch;
using namespace stytch::test::h2;

namespace {

// A script: a first request gets a good answer (the connection is then known to speak h2 and
// carries the next calls together); of the next two, the first gets `bad` (built for its
// stream id) and the second, 200 ms after the client reset the first, a good answer; a fourth
// a good answer; then the connection stays open until the client closes it.
script_server::script bad_then_good(moment& sent, seen& client,
                                    std::function<std::string(std::int32_t)> bad) {
    return [&sent, &client, bad = std::move(bad)](peer& p) {
        p.start();
        p.send(answer(p.next_request(), 200, ok_body()));
        const auto first = p.next_request();
        const auto second = p.next_request();
        sent.mark();
        p.send(bad(first));
        client.reset_of(p);
        // Nothing else arrives for a while: the failed call must not wait for more bytes.
        std::this_thread::sleep_for(milliseconds(200));
        p.send(answer(second, 200, ok_body()));
        const auto third = p.next_request();
        p.send(answer(third, 200, ok_body()));
        p.read_until_closed();
    };
}

// Two calls share the connection; the one on the bad stream fails within 50 ms of the bad
// bytes with `code_name`, the other succeeds; the client's RST_STREAM carries `code`; a third
// call goes over the same connection.
void fails_its_stream_only(std::function<std::string(std::int32_t)> bad, std::uint32_t code,
                           std::string_view code_name) {
    moment sent;
    seen client;
    script_server server({bad_then_good(sent, client, std::move(bad))});
    script_client f(server);
    BOOST_TEST_REQUIRE(f.call().r.has_value());
    const auto both = f.calls(2);
    const auto& failed = both[0].r.has_value() ? both[1] : both[0];
    const auto& answered = both[0].r.has_value() ? both[0] : both[1];
    BOOST_TEST_REQUIRE(!failed.r.has_value());
    BOOST_TEST(failed.r.error().code == error::http2_protocol_error,
               failed.r.error().code.message());
    BOOST_TEST(failed.r.error().details.error_type == code_name);
    BOOST_TEST(!failed.r.error().details.error_message.empty());
    BOOST_TEST(failed.after(sent).count() < 50, failed.after(sent).count() << " ms");
    BOOST_TEST(answered.r.has_value());
    BOOST_TEST(f.call().r.has_value());  // the same connection carries on
    f.c.reset();
    BOOST_TEST(f.finish(server));
    BOOST_TEST(server.failures().empty(), failures_of(server));
    BOOST_TEST(server.connections_accepted() == 1u);
    BOOST_TEST_REQUIRE(client.rst.has_value());
    BOOST_TEST(client.rst->error_code() == code);
}

constexpr std::uint32_t protocol_error = 0x1;
constexpr std::uint32_t flow_control_error = 0x3;

}  // namespace

BOOST_AUTO_TEST_SUITE(stream_errors)

BOOST_AUTO_TEST_CASE(a_duplicate_status_fails_its_call_at_once) {
    fails_its_stream_only(
        [](std::int32_t id) {
            return frame(headers, end_headers | end_stream, id,
                         hpack::status(200) + hpack::status(200));
        },
        protocol_error, "PROTOCOL_ERROR");
}

BOOST_AUTO_TEST_CASE(an_upper_case_field_name_fails_its_call_at_once) {
    fails_its_stream_only(
        [](std::int32_t id) {
            return frame(headers, end_headers | end_stream, id,
                         hpack::status(200) + hpack::literal("X-Request-Id", "a"));
        },
        protocol_error, "PROTOCOL_ERROR");
}

BOOST_AUTO_TEST_CASE(a_content_length_the_data_disagrees_with_fails_its_call_at_once) {
    fails_its_stream_only(
        [](std::int32_t id) {
            return frame(headers, end_headers, id,
                         hpack::status(200) + hpack::literal("content-length", "100")) +
                   frame(data, end_stream, id, "{\"short\":1}");
        },
        protocol_error, "PROTOCOL_ERROR");
}

BOOST_AUTO_TEST_CASE(a_stream_window_update_that_overflows_fails_its_call_at_once) {
    fails_its_stream_only(
        [](std::int32_t id) { return frame(window_update, 0, id, u32(0x7fffffff)); },
        flow_control_error, "FLOW_CONTROL_ERROR");
}

BOOST_AUTO_TEST_SUITE_END()
