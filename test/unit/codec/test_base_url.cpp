#include <boost/test/unit_test.hpp>

#include <ostream>
#include <string>

#include <stytch/error.hpp>

#include "codec/base_url.hpp"

namespace stytch::detail {
std::ostream& operator<<(std::ostream& os, const endpoint& ep) {
    return os << "{host=" << ep.host << " port=" << ep.port << " host_header=" << ep.host_header
              << " path_prefix=" << ep.path_prefix << "}";
}
}  // namespace stytch::detail

using stytch::error;
using stytch::detail::default_base_url;
using stytch::detail::endpoint;
using stytch::detail::parse_base_url;

namespace {

endpoint parse_ok(std::string_view url) {
    auto r = parse_base_url(url);
    BOOST_TEST_REQUIRE(r.has_value(), "parse_base_url(" << url << ") failed: " << r.error());
    return *r;
}

boost::system::error_code parse_error(std::string_view url) {
    auto r = parse_base_url(url);
    BOOST_TEST_REQUIRE(r.has_error(), "parse_base_url(" << url << ") succeeded");
    return r.error();
}

}  // namespace

BOOST_AUTO_TEST_SUITE(base_url)

BOOST_AUTO_TEST_CASE(environment_from_project_id) {
    BOOST_TEST(default_base_url("project-live-36510638-652a-4d6f-a7e6-4d0e2b2b8d1f") ==
               "https://api.stytch.com");
    BOOST_TEST(default_base_url("project-test-36510638-652a-4d6f-a7e6-4d0e2b2b8d1f") ==
               "https://test.stytch.com");
    BOOST_TEST(default_base_url("") == "https://test.stytch.com");
    BOOST_TEST(default_base_url("some-other-id") == "https://test.stytch.com");
    BOOST_TEST(default_base_url("PROJECT-LIVE-abc") == "https://test.stytch.com");
    BOOST_TEST(default_base_url("xproject-live-abc") == "https://test.stytch.com");
    BOOST_TEST(default_base_url("project-live") == "https://test.stytch.com");
}

BOOST_AUTO_TEST_CASE(default_environments_parse) {
    const auto live = parse_ok(default_base_url("project-live-x"));
    BOOST_TEST(live == (endpoint{"api.stytch.com", 443, "api.stytch.com", ""}));
    const auto test = parse_ok(default_base_url("project-test-x"));
    BOOST_TEST(test == (endpoint{"test.stytch.com", 443, "test.stytch.com", ""}));
}

BOOST_AUTO_TEST_CASE(trailing_slashes_are_normalised) {
    BOOST_TEST(parse_ok("https://test.stytch.com/").path_prefix == "");
    BOOST_TEST(parse_ok("https://test.stytch.com//").path_prefix == "");
    BOOST_TEST(parse_ok("https://example.com/base").path_prefix == "/base");
    BOOST_TEST(parse_ok("https://example.com/base/").path_prefix == "/base");
    BOOST_TEST(parse_ok("https://example.com/a/b//").path_prefix == "/a/b");
}

BOOST_AUTO_TEST_CASE(custom_url_with_port_and_prefix) {
    const auto ep = parse_ok("https://stytch-proxy.internal:8443/stytch/api/");
    BOOST_TEST(ep.host == "stytch-proxy.internal");
    BOOST_TEST(ep.port == 8443);
    BOOST_TEST(ep.host_header == "stytch-proxy.internal:8443");
    BOOST_TEST(ep.path_prefix == "/stytch/api");
}

BOOST_AUTO_TEST_CASE(prefix_keeps_its_percent_encoding) {
    BOOST_TEST(parse_ok("https://example.com/a%20b/c%2Fd/").path_prefix == "/a%20b/c%2Fd");
}

BOOST_AUTO_TEST_CASE(explicit_default_port_is_not_in_host_header) {
    const auto ep = parse_ok("https://example.com:443");
    BOOST_TEST(ep.port == 443);
    BOOST_TEST(ep.host_header == "example.com");
}

BOOST_AUTO_TEST_CASE(port_range) {
    BOOST_TEST(parse_ok("https://example.com:1").port == 1);
    BOOST_TEST(parse_ok("https://example.com:65535").port == 65535);
    BOOST_TEST(parse_ok("https://example.com:65535").host_header == "example.com:65535");
    BOOST_TEST((parse_error("https://example.com:0") == error::invalid_base_url));
    BOOST_TEST((parse_error("https://example.com:65536") == error::invalid_base_url));
    BOOST_TEST((parse_error("https://example.com:99999999") == error::invalid_base_url));
    BOOST_TEST((parse_error("https://example.com:") == error::invalid_base_url));
}

BOOST_AUTO_TEST_CASE(scheme_is_case_insensitive) {
    BOOST_TEST(parse_ok("HTTPS://test.stytch.com").host == "test.stytch.com");
    BOOST_TEST(parse_ok("Https://test.stytch.com").port == 443);
}

BOOST_AUTO_TEST_CASE(other_schemes_are_insecure) {
    BOOST_TEST((parse_error("http://test.stytch.com") == error::insecure_base_url));
    BOOST_TEST((parse_error("HTTP://test.stytch.com:443") == error::insecure_base_url));
    BOOST_TEST((parse_error("ftp://test.stytch.com") == error::insecure_base_url));
    BOOST_TEST((parse_error("wss://test.stytch.com") == error::insecure_base_url));
    BOOST_TEST((parse_error("http://x") == error::insecure_base_url));
}

BOOST_AUTO_TEST_CASE(garbage_is_invalid) {
    for (const char* url :
         {"", " ", "not a url", "://test.stytch.com", "test.stytch.com", "https//test.stytch.com",
          "https://test stytch.com", "https://test.stytch.com/a b", "https://exa\nmple.com"}) {
        BOOST_TEST_CONTEXT(url) {
            BOOST_TEST((parse_error(url) == error::invalid_base_url));
        }
    }
}

BOOST_AUTO_TEST_CASE(userinfo_query_and_fragment_are_refused) {
    for (const char* url :
         {"https://user:pass@test.stytch.com", "https://user@test.stytch.com",
          "https://@test.stytch.com", "https://test.stytch.com/?a=1", "https://test.stytch.com?",
          "https://test.stytch.com/base#frag", "https://test.stytch.com#"}) {
        BOOST_TEST_CONTEXT(url) {
            BOOST_TEST((parse_error(url) == error::invalid_base_url));
        }
    }
}

BOOST_AUTO_TEST_CASE(missing_host_is_refused) {
    for (const char* url : {"https:", "https://", "https:///v1", "https://:8443", "https:/path",
                            "https:test.stytch.com"}) {
        BOOST_TEST_CONTEXT(url) {
            BOOST_TEST((parse_error(url) == error::invalid_base_url));
        }
    }
}

BOOST_AUTO_TEST_CASE(percent_encoded_host_is_refused) {
    BOOST_TEST((parse_error("https://ex%61mple.com") == error::invalid_base_url));
    BOOST_TEST((parse_error("https://ex%0D%0Aample.com") == error::invalid_base_url));
}

BOOST_AUTO_TEST_CASE(ipv4_host) {
    const auto ep = parse_ok("https://127.0.0.1:8443");
    BOOST_TEST(ep == (endpoint{"127.0.0.1", 8443, "127.0.0.1:8443", ""}));
}

BOOST_AUTO_TEST_CASE(ipv6_host) {
    BOOST_TEST(parse_ok("https://[::1]:8443/p/") == (endpoint{"::1", 8443, "[::1]:8443", "/p"}));
    BOOST_TEST(parse_ok("https://[2001:db8::1]") ==
               (endpoint{"2001:db8::1", 443, "[2001:db8::1]", ""}));
    BOOST_TEST((parse_error("https://[v1.fe]") == error::invalid_base_url));
    BOOST_TEST((parse_error("https://[::1") == error::invalid_base_url));
}

BOOST_AUTO_TEST_SUITE_END()
