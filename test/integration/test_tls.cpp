// TLS fails closed: a certificate the client cannot verify ends the call with an SSL error.

#include <boost/asio/ssl/error.hpp>

#include <openssl/x509_vfy.h>

#include "integration/fixture.hpp"
#include "support/tokens.hpp"

using namespace stytch;
using stytch::test::first_org;
using stytch::test::server_fixture;

namespace {

bool is_verification_failure(const boost::system::error_code& ec) {
    // OpenSSL reports "certificate verify failed" in the SSL category.
    return ec.category() == boost::asio::error::get_ssl_category() &&
           ERR_GET_REASON(static_cast<unsigned long>(ec.value())) ==
               SSL_R_CERTIFICATE_VERIFY_FAILED;
}

result<b2b::delete_external_id_response> call_with(server_fixture& f, client_config cfg) {
    client c(f.ioc.get_executor(), std::move(cfg));
    return f.run(c.organizations().async_delete_external_id({first_org}, {},
                                                            stytch::test::awaitable_result));
}

}  // namespace

BOOST_AUTO_TEST_SUITE(tls)

BOOST_AUTO_TEST_CASE(server_from_an_untrusted_ca_is_rejected) {
    server_fixture f;
    auto cfg = f.config();
    cfg.ca_file.clear();  // only the system trust store, which does not know the test CA
    auto r = call_with(f, cfg);
    BOOST_REQUIRE(!r.has_value());
    BOOST_TEST(is_verification_failure(r.error().code), r.error().code.message());
    BOOST_TEST(f.server.requests().empty());
}

BOOST_AUTO_TEST_CASE(certificate_for_another_host_is_rejected) {
    mock::certificate_options o;
    o.dns_names = {"other.example"};
    o.ip_addresses = {"127.0.0.2"};
    mock::server_options so;
    so.identity = mock::make_tls_identity(o);
    server_fixture f(so);
    auto r = call_with(f, f.config());
    BOOST_REQUIRE(!r.has_value());
    BOOST_TEST(is_verification_failure(r.error().code), r.error().code.message());
    BOOST_TEST(f.server.requests().empty());
}

BOOST_AUTO_TEST_CASE(expired_certificate_is_rejected) {
    mock::certificate_options o;
    o.not_before_offset = std::chrono::hours(-48);
    o.validity = std::chrono::hours(24);
    mock::server_options so;
    so.identity = mock::make_tls_identity(o);
    server_fixture f(so);
    auto r = call_with(f, f.config());
    BOOST_REQUIRE(!r.has_value());
    BOOST_TEST(is_verification_failure(r.error().code), r.error().code.message());
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
