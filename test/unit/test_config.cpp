#include <boost/test/unit_test.hpp>

#include <chrono>
#include <cstdint>
#include <string>

#include <stytch/config.hpp>
#include <stytch/error.hpp>

#include "codec/response_decoder.hpp"

using stytch::client_config;
using stytch::error;
using namespace std::chrono_literals;

namespace {

client_config valid_config() {
    client_config c;
    c.project_id = "project-test-36510638-652a-4d6f-a7e6-4d0e2b2b8d1f";
    c.secret = "secret-test-OaUXNGlUq5NpkYtJEVR8n2wQ3k0ZLr1m";
    return c;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(config)

BOOST_AUTO_TEST_CASE(defaults_with_credentials_are_valid) {
    BOOST_TEST(!valid_config().validate());
    auto live = valid_config();
    live.project_id = "project-live-36510638-652a-4d6f-a7e6-4d0e2b2b8d1f";
    BOOST_TEST(!live.validate());
}

BOOST_AUTO_TEST_CASE(default_user_agent_names_the_sdk_and_version) {
    BOOST_TEST(client_config{}.user_agent == "Stytch C++ v0.1.0");
}

BOOST_AUTO_TEST_CASE(missing_credentials) {
    BOOST_TEST((client_config{}.validate() == error::missing_project_id));
    auto c = valid_config();
    c.project_id.clear();
    BOOST_TEST((c.validate() == error::missing_project_id));
    c = valid_config();
    c.secret.clear();
    BOOST_TEST((c.validate() == error::missing_secret));
}

BOOST_AUTO_TEST_CASE(header_injection_is_refused) {
    for (const std::string& bad : {std::string("a\rb"), std::string("a\nb"), std::string("a\0b", 3),
                                   std::string("x\r\nX-Evil: 1"),
                                   std::string("a\x01"
                                               "b"),
                                   std::string("a\x1f"),
                                   std::string("\x7f"
                                               "a"),
                                   std::string("a\x0b"
                                               "b")}) {
        auto c = valid_config();
        c.project_id = "project-test-" + bad;
        BOOST_TEST((c.validate() == error::invalid_header_value));
        c = valid_config();
        c.secret = bad;
        BOOST_TEST((c.validate() == error::invalid_header_value));
        c = valid_config();
        c.user_agent = bad;
        BOOST_TEST((c.validate() == error::invalid_header_value));
    }
}

BOOST_AUTO_TEST_CASE(htab_and_obs_text_are_accepted_in_header_values) {
    auto c = valid_config();
    c.user_agent = "my app\t(caf\xc3\xa9)";
    c.secret = "secret\twith\x80tab";
    BOOST_TEST(!c.validate());
}

BOOST_AUTO_TEST_CASE(base_url_errors_are_reported) {
    auto c = valid_config();
    c.base_url = "https://stytch.internal.example:8443/proxy/";
    BOOST_TEST(!c.validate());
    c.base_url = "http://test.stytch.com";
    BOOST_TEST((c.validate() == error::insecure_base_url));
    c.base_url = "not a url";
    BOOST_TEST((c.validate() == error::invalid_base_url));
    c.base_url = "https://user:pw@test.stytch.com";
    BOOST_TEST((c.validate() == error::invalid_base_url));
}

BOOST_AUTO_TEST_CASE(limits_and_timeouts_must_be_positive) {
    auto check = [](auto mutate) {
        auto c = valid_config();
        mutate(c);
        return c.validate() == error::invalid_config;
    };
    BOOST_TEST(check([](client_config& c) { c.connect_timeout = 0ms; }));
    BOOST_TEST(check([](client_config& c) { c.connect_timeout = -1ms; }));
    BOOST_TEST(check([](client_config& c) { c.request_timeout = 0ms; }));
    BOOST_TEST(check([](client_config& c) { c.request_timeout = -5s; }));
    BOOST_TEST(check([](client_config& c) { c.idle_timeout = 0ms; }));
    BOOST_TEST(check([](client_config& c) { c.max_connections = 0; }));
    BOOST_TEST(check([](client_config& c) { c.max_response_body = 0; }));
    BOOST_TEST(check([](client_config& c) { c.max_streams_per_connection = 0; }));
    BOOST_TEST(check([](client_config& c) { c.h2_ping_after_idle = 0ms; }));
    BOOST_TEST(check([](client_config& c) { c.h2_connection_window = 0; }));
    BOOST_TEST(check([](client_config& c) { c.h2_connection_window = 0x80000000u; }));
    // The smallest positive values are accepted.
    auto c = valid_config();
    c.connect_timeout = c.request_timeout = c.idle_timeout = c.h2_ping_after_idle = 1ms;
    c.max_connections = 1;
    c.max_response_body = 1;
    c.max_streams_per_connection = 1;
    c.h2_connection_window = 1;
    BOOST_TEST(!c.validate());
    c.h2_connection_window = 0x7fffffff;
    BOOST_TEST(!c.validate());
}

BOOST_AUTO_TEST_CASE(max_json_depth_is_64_by_default_and_within_1_to_1024) {
    BOOST_TEST(client_config{}.max_json_depth == stytch::detail::default_max_json_depth);
    BOOST_TEST(client_config{}.max_json_depth == 64u);
    auto c = valid_config();
    for (const std::size_t ok : {1u, 64u, 1024u}) {
        c.max_json_depth = ok;
        BOOST_TEST(!c.validate(), ok);
    }
    for (const std::size_t bad : {std::size_t{0}, std::size_t{1025}, SIZE_MAX}) {
        c.max_json_depth = bad;
        BOOST_TEST((c.validate() == error::invalid_config), bad);
    }
}

BOOST_AUTO_TEST_CASE(first_problem_wins) {
    client_config c;  // no project id, no secret
    c.max_connections = 0;
    c.base_url = "http://x";
    BOOST_TEST((c.validate() == error::missing_project_id));
    c.project_id = "p";
    BOOST_TEST((c.validate() == error::missing_secret));
    c.secret = "s";
    BOOST_TEST((c.validate() == error::insecure_base_url));
    c.base_url.clear();
    BOOST_TEST((c.validate() == error::invalid_config));
}

BOOST_AUTO_TEST_CASE(proxy_settings) {
    auto c = valid_config();
    c.proxy = "http://user:pw@proxy.corp:3128";
    c.no_proxy = "localhost, 10.0.0.0/8";
    BOOST_TEST(!c.validate());
    c.proxy = "https://proxy.corp";
    BOOST_TEST(!c.validate());
    for (const std::string bad : {"socks5://proxy", "ftp://proxy", "http://proxy:99999",
                                  "http://us%0Aer:pw@proxy:1", "http://u:p%0D@proxy:1"}) {
        c.proxy = bad;
        BOOST_TEST((c.validate() == error::invalid_config), bad);
    }
}

BOOST_AUTO_TEST_CASE(client_key_needs_a_certificate) {
    auto c = valid_config();
    c.client_key_file = "client.key";
    BOOST_TEST((c.validate() == error::invalid_config));
    c.client_certificate_file = "client.pem";
    BOOST_TEST(!c.validate());  // files are read by the client's constructor
}

BOOST_AUTO_TEST_CASE(http_version_is_automatic_by_default_and_an_enumerator) {
    BOOST_TEST((client_config{}.http_version == stytch::http_version::automatic));
    auto c = valid_config();
    for (auto v : {stytch::http_version::automatic, stytch::http_version::http1_1,
                   stytch::http_version::http2}) {
        c.http_version = v;
        BOOST_TEST(!c.validate());
    }
    c.http_version = static_cast<stytch::http_version>(3);
    BOOST_TEST((c.validate() == error::invalid_config));
}
BOOST_AUTO_TEST_SUITE_END()
