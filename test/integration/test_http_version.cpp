// ALPN over real TLS against the mock: what each client_config::http_version offers, and a
// required HTTP/2 that the server does not (or does) select. HTTP/2 itself: test_http2.cpp.

#include "support/calls.hpp"
#include "support/client_fixture.hpp"
#include "support/h2_run.hpp"
#include "support/tokens.hpp"

using namespace stytch;
using namespace stytch::test;
using offers = std::vector<std::vector<std::string>>;

namespace {

result<b2b::delete_external_id_response> call_with(server_fixture& f, http_version version) {
    auto cfg = f.config();
    cfg.http_version = version;
    cfg.retry.max_attempts = 3;  // a refused version must not be retried
    client c(f.ioc.get_executor(), std::move(cfg));
    return f.run(
        c.organizations().async_delete_external_id({first_org}, {}, test::awaitable_result));
}

}  // namespace

BOOST_AUTO_TEST_SUITE(http_versions)

// The suites run twice (test/support/h2_run.hpp): the fixture's defaults speak the run's version.
BOOST_AUTO_TEST_CASE(the_fixture_speaks_the_version_of_its_run) {
    client_fixture f;
    f.make_client(f.config());
    BOOST_TEST(f.run_call().has_value());
    // The h2 run requires h2; the HTTP/1.1 run offers both to a server selecting http/1.1.
    BOOST_TEST(
        (f.server.alpn_offers() == (over_http2() ? offers{{"h2"}} : offers{{"h2", "http/1.1"}})));
    const auto requests = f.server.requests();
    BOOST_TEST_REQUIRE(requests.size() == 1u);
    // Content-Length: 0 over HTTP/1.1; over h2 the request has no body and no content-length.
    BOOST_TEST(requests[0].header("content-length").empty() == over_http2());
}

BOOST_AUTO_TEST_CASE(
    automatic_offers_both_and_falls_back_to_http1_1,
    *http1_only("needs a server without h2, and the h2 run's default server offers it")) {
    server_fixture f;  // selects http/1.1 only
    BOOST_TEST(call_with(f, http_version::automatic).has_value());
    BOOST_TEST((f.server.alpn_offers() == offers{{"h2", "http/1.1"}}));
}

BOOST_AUTO_TEST_CASE(http1_1_never_offers_h2) {
    mock::server_options so;
    so.alpn = {"h2", "http/1.1"};  // a server that would prefer h2
    server_fixture f(so);
    BOOST_TEST(call_with(f, http_version::http1_1).has_value());
    BOOST_TEST((f.server.alpn_offers() == offers{{"http/1.1"}}));
}

BOOST_AUTO_TEST_CASE(
    http2_without_h2_from_the_server_fails_before_sending,
    *http1_only("needs a server without h2, and the h2 run's default server offers it")) {
    server_fixture f;  // selects http/1.1 only, so nothing from an h2-only offer
    auto r = call_with(f, http_version::http2);
    BOOST_REQUIRE(!r.has_value());
    BOOST_TEST((r.error().code == error::http2_not_negotiated), r.error().code.message());
    BOOST_TEST((r.error().code == condition::protocol_error));
    BOOST_TEST((f.server.alpn_offers() == offers{{"h2"}}));  // one attempt: not retried
    BOOST_TEST(f.server.requests_received() == 0u);
}

BOOST_AUTO_TEST_CASE(http2_selected_is_spoken) {
    mock::server_options so;
    so.alpn = {"h2"};
    server_fixture f(so);
    auto r = call_with(f, http_version::http2);
    BOOST_TEST(r.has_value(), code_of(r).message());
    BOOST_TEST((f.server.alpn_offers() == offers{{"h2"}}));
    BOOST_TEST(f.server.requests_received() == 1u);
}

BOOST_AUTO_TEST_SUITE_END()
