// Behaviours of the HTTP/1.1 layer that already hold and must keep holding.

#include <boost/beast/http/error.hpp>

#include "conformance/scripting.hpp"
#include "support/client_fixture.hpp"

using namespace stytch;
using namespace stytch::test;
namespace http = boost::beast::http;

namespace {

/// Status line and headers of a 200 with `fields` (each ending in CRLF), then `body`.
std::string answer_with(const std::string& fields, const std::string& body) {
    return "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n" + fields + "\r\n" + body;
}

std::string content_length(std::size_t n) {
    return "Content-Length: " + std::to_string(n) + "\r\n";
}

}  // namespace

BOOST_AUTO_TEST_SUITE(kept_behaviour)

BOOST_AUTO_TEST_CASE(close_delimited_http10_answer_is_read_to_the_end_and_not_pooled) {
    client_fixture f;
    mock::reply r;
    r.action = mock::reply::kind::raw;
    r.raw = "HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n" +
            ok_body_for(f.server, first_org, "request-id-close-delimited");
    r.close_after = true;
    inject(f.server, r);

    f.make_client();
    auto first = f.run_call();
    BOOST_REQUIRE(first.has_value());
    BOOST_TEST(first->request_id == "request-id-close-delimited");
    BOOST_TEST(first->organization.organization_id == first_org);
    auto second = f.run_call();
    BOOST_REQUIRE(second.has_value());
    BOOST_TEST(f.server.connections_accepted() == 2u);  // the first one was not pooled
}

BOOST_AUTO_TEST_CASE(chunked_answer_with_extensions_and_trailers_is_read_and_pooled) {
    client_fixture f;
    const std::string body = ok_body_for(f.server, first_org, "request-id-test-chunked");
    const std::size_t third = body.size() / 3;
    auto chunk = [](const std::string& part, const std::string& extension) {
        char size[32];
        std::snprintf(size, sizeof size, "%zx", part.size());
        return std::string(size) + extension + "\r\n" + part + "\r\n";
    };
    const std::string chunked =
        answer_with("Transfer-Encoding: chunked\r\nTrailer: X-Checksum, X-Other\r\n",
                    chunk(body.substr(0, third), ";name=value") +
                        chunk(body.substr(third, third), ";a=1;flag;quoted=\"x y\"") +
                        chunk(body.substr(2 * third), "") +
                        "0;last=yes\r\nX-Checksum: abc\r\nX-Other: 1\r\n\r\n");
    script_requests(f.server, {{script_step::write(chunked)}});
    f.make_client();
    auto r = f.run_call(first_org);
    BOOST_TEST_REQUIRE(r.has_value(), r.error().code.message());
    BOOST_TEST(r->request_id == "request-id-test-chunked");
    BOOST_TEST(r->organization.organization_id == first_org);
    check_own_answer(f.run_call(second_org), second_org);
    BOOST_TEST(f.server.connections_accepted() == 1u);  // read to its end: reused
}

BOOST_AUTO_TEST_CASE(duplicate_equal_content_length_is_accepted) {
    client_fixture f;
    const std::string body = ok_body_for(f.server, first_org, "request-id-test-duplicate");
    script_requests(f.server,
                    {{script_step::write(answer_with(
                        content_length(body.size()) + content_length(body.size()), body))}});
    f.make_client();
    auto r = f.run_call(first_org);
    BOOST_TEST_REQUIRE(r.has_value(), r.error().code.message());
    BOOST_TEST(r->request_id == "request-id-test-duplicate");
    check_own_answer(f.run_call(second_org), second_org);
}

BOOST_AUTO_TEST_CASE(differing_duplicate_content_length_is_refused) {
    client_fixture f;
    const std::string body = ok_body_for(f.server, first_org, "request-id-test-differing");
    script_requests(f.server,
                    {{script_step::write(answer_with(
                        content_length(body.size()) + content_length(body.size() - 1), body))}});
    refused_and_discarded(f, http::error::multiple_content_length);
}

BOOST_AUTO_TEST_CASE(content_length_larger_than_the_body_then_close_is_a_partial_message) {
    client_fixture f;
    const std::string body = ok_body_for(f.server, first_org, "request-id-test-short");
    script_requests(f.server,
                    {{script_step::write(answer_with(content_length(body.size() + 10), body)),
                      script_step::of(step::shutdown)}});
    refused_and_discarded(f, http::error::partial_message);
}

BOOST_AUTO_TEST_CASE(transfer_encoding_with_content_length_is_refused) {
    // Beast names the second of the two fields: either order is refused (RFC 9112 §6.3).
    for (bool length_first : {true, false}) {
        BOOST_TEST_CONTEXT("Content-Length first: " << length_first) {
            client_fixture f;
            const std::string body = ok_body_for(f.server, first_org, "request-id-test-te-cl");
            const std::string te = "Transfer-Encoding: chunked\r\n";
            const std::string cl = content_length(body.size());
            char size[32];
            std::snprintf(size, sizeof size, "%zx", body.size());
            script_requests(f.server, {{script_step::write(answer_with(
                                          length_first ? cl + te : te + cl,
                                          std::string(size) + "\r\n" + body + "\r\n0\r\n\r\n"))}});
            refused_and_discarded(f, length_first ? http::error::bad_transfer_encoding
                                                  : http::error::bad_content_length);
        }
    }
}

BOOST_AUTO_TEST_CASE(body_in_one_byte_records_is_read) {
    client_fixture f;
    script_requests(
        f.server,
        {{script_step::write(ok_answer_for(f.server, first_org, "request-id-test-bytes"), {}, 1)}});
    f.make_client();
    auto r = f.run_call(first_org);
    BOOST_TEST_REQUIRE(r.has_value(), r.error().code.message());
    BOOST_TEST(r->request_id == "request-id-test-bytes");
    check_own_answer(f.run_call(second_org), second_org);
    BOOST_TEST(f.server.connections_accepted() == 1u);
}

BOOST_AUTO_TEST_SUITE_END()
