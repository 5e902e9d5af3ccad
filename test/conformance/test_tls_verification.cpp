// Host-name verification uses the subjectAltName only, never the subject's common name
// (RFC 9110 §4.3.4, RFC 6125 §6.4.4): browsers and Go (since 1.15) refuse a certificate whose
// only mention of the host is its CN.

#include "support/calls.hpp"
#include "support/client_fixture.hpp"

using namespace stytch;
using namespace stytch::test;

namespace {

// A certificate naming its host only in the subject CN.
mock::certificate_options cn_only(const std::string& common_name) {
    mock::certificate_options o;
    o.dns_names.clear();
    o.ip_addresses.clear();
    o.common_name = common_name;
    return o;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(tls_verification)

BOOST_AUTO_TEST_CASE(no_san_with_the_host_as_common_name_is_refused_and_nothing_is_sent) {
    client_fixture f(serving(cn_only("localhost")));
    f.make_client([&](client_config& cfg) {
        cfg.base_url = "https://localhost:" + std::to_string(f.server.port());
    });
    auto r = f.run_call();
    BOOST_REQUIRE(!r.has_value());
    BOOST_TEST(is_verification_failure(r.error().code), r.error().code.message());
    BOOST_TEST(f.server.requests_received() == 0u);
}

BOOST_AUTO_TEST_CASE(no_san_with_the_ip_as_common_name_is_refused_and_nothing_is_sent) {
    client_fixture f(serving(cn_only("127.0.0.1")));
    f.make_client();
    auto r = f.run_call();
    BOOST_REQUIRE(!r.has_value());
    BOOST_TEST(is_verification_failure(r.error().code), r.error().code.message());
    BOOST_TEST(f.server.requests_received() == 0u);
}

BOOST_AUTO_TEST_CASE(the_same_common_name_with_a_dns_san_for_the_host_is_accepted) {
    auto o = cn_only("localhost");
    o.dns_names = {"localhost"};
    client_fixture f(serving(o));
    f.make_client([&](client_config& cfg) {
        cfg.base_url = "https://localhost:" + std::to_string(f.server.port());
    });
    auto r = f.run_call();
    BOOST_REQUIRE(r.has_value());
    BOOST_TEST(r->organization.organization_id == first_org);
    BOOST_TEST(f.server.requests_received() == 1u);
}

BOOST_AUTO_TEST_SUITE_END()
