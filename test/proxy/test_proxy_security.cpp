// What the proxy sees: the CONNECT and TLS records, never the project secret, the
// Authorization header or a session token in clear.

#include "proxy/scripted_proxy.hpp"
#include "support/calls.hpp"
#include "support/tokens.hpp"

#include "codec/request_encoder.hpp"

using namespace stytch;
using namespace stytch::test;

BOOST_AUTO_TEST_SUITE(proxy_security)

BOOST_AUTO_TEST_CASE(the_proxy_sees_no_credential_in_clear) {
    mock::server_options so;
    mock::certificate_options co;
    co.dns_names = {"api.stytch.test"};
    co.ip_addresses = {};
    so.identity = mock::make_tls_identity(co);
    server_fixture f(so);
    scripted_proxy p(f.server.port());
    auto cfg = fast_config(f);
    cfg.base_url = "https://api.stytch.test:" + std::to_string(f.server.port());
    cfg.proxy = p.url();
    client c(f.ioc.get_executor(), cfg);

    const std::string token = "session-token-test-Zq8Yv1";
    b2b::delete_external_id_options options;
    options.session_token = token;
    auto r = f.run(c.organizations().async_delete_external_id({first_org}, options,
                                                              stytch::test::awaitable_result));
    BOOST_TEST(r.has_value());

    // The API received the credentials (inside TLS)...
    const auto received = f.server.requests();
    BOOST_REQUIRE_EQUAL(received.size(), 1u);
    const std::string basic = detail::base64_encode(cfg.project_id + ":" + cfg.secret);
    BOOST_TEST(received[0].header("Authorization") == "Basic " + basic);
    BOOST_TEST(received[0].header("X-Stytch-Member-Session") == token);

    // ...while the proxy saw the CONNECT, then TLS records only.
    const std::string raw = p.raw_from_clients();
    BOOST_TEST(raw.starts_with("CONNECT api.stytch.test:"));
    const auto body = raw.find("\r\n\r\n");
    BOOST_REQUIRE(body != std::string::npos);
    BOOST_TEST(raw.size() > body + 4 + 100);  // the tunnel carried the call
    BOOST_TEST(raw[body + 4] == '\x16');      // a TLS handshake record
    for (const std::string& secret :
         {cfg.secret, basic, std::string("Authorization"), token, std::string(first_org)}) {
        BOOST_TEST(raw.find(secret) == std::string::npos, secret);
    }
}

BOOST_AUTO_TEST_SUITE_END()
