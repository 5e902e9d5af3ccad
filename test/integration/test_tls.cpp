// TLS fails closed: a certificate the client cannot verify ends the call with an SSL error after
// one attempt (never retried), on one connection, with nothing sent.

#include <fstream>

#include <openssl/x509_vfy.h>

#include "support/attempt_log.hpp"
#include "support/calls.hpp"
#include "support/tokens.hpp"

using namespace stytch;
using namespace stytch::test;

namespace {

result<b2b::delete_external_id_response> call_with(server_fixture& f, client_config cfg) {
    client c(f.ioc.get_executor(), std::move(cfg));
    return call(f, c);
}

/// One call with `cfg` fails verification once: one attempt, one connection, no request.
void expect_rejected(server_fixture& f, client_config cfg) {
    attempt_log log;
    log.attach(cfg);
    auto r = call_with(f, std::move(cfg));
    BOOST_REQUIRE(!r.has_value());
    BOOST_TEST(is_verification_failure(r.error().code), r.error().code.message());
    BOOST_TEST_REQUIRE(log.size() == 1u);
    BOOST_TEST((log.entries()[0].info.phase == attempt_phase::tls_handshake));
    BOOST_TEST(eventually([&] { return f.server.connections_accepted() == 1u; }));
    BOOST_TEST(f.server.requests_received() == 0u);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(tls)

BOOST_AUTO_TEST_CASE(server_from_an_untrusted_ca_is_rejected) {
    BOOST_TEST_CONTEXT("only the system trust store, which does not know the test CA") {
        server_fixture f;
        auto cfg = fast_config(f);
        cfg.ca_file.clear();
        expect_rejected(f, cfg);
    }
    BOOST_TEST_CONTEXT("a CA file with another CA") {
        server_fixture f;
        std::ofstream(f.ca_file, std::ios::trunc) << mock::make_tls_identity().ca_certificate_pem;
        expect_rejected(f, fast_config(f));
    }
}

BOOST_AUTO_TEST_CASE(certificate_for_another_host_is_rejected) {
    mock::certificate_options o;
    o.dns_names = {"other.example"};
    o.ip_addresses = {"127.0.0.2"};
    server_fixture f(serving(o));
    expect_rejected(f, fast_config(f));
}

BOOST_AUTO_TEST_CASE(expired_certificate_is_rejected) {
    mock::certificate_options o;
    o.not_before_offset = std::chrono::hours(-48);
    o.validity = std::chrono::hours(24);
    server_fixture f(serving(o));
    expect_rejected(f, fast_config(f));
}

BOOST_AUTO_TEST_CASE(certificate_with_matching_ip_san_is_accepted) {
    server_fixture f;  // default identity: 127.0.0.1 and localhost
    auto r = call_with(f, f.config());
    BOOST_TEST(r.has_value());
}

BOOST_AUTO_TEST_CASE(localhost_name_is_verified_by_dns_san) {
    server_fixture f;
    auto cfg = f.config();
    cfg.base_url = "https://localhost:" + std::to_string(f.server.port());
    auto r = call_with(f, cfg);
    BOOST_TEST(r.has_value());
}

BOOST_AUTO_TEST_CASE(unreadable_ca_file_is_a_construction_error) {
    boost::asio::io_context ioc;
    client_config cfg;
    cfg.project_id = "project-test-x";
    cfg.secret = "s";
    cfg.ca_file = "/nonexistent/ca.pem";
    BOOST_CHECK_THROW(client(ioc.get_executor(), cfg), boost::system::system_error);
}

BOOST_AUTO_TEST_SUITE_END()
