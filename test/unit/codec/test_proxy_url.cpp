// The proxy settings without sockets: URL parsing, NO_PROXY matching, the environment rule
// (the CONNECT exchange: protocol/test_proxy_tunnel.cpp).

#include <boost/test/unit_test.hpp>

#include <cstdlib>
#include <string>

#include <stytch/config.hpp>
#include <stytch/error.hpp>

#include "codec/base_url.hpp"
#include "codec/no_proxy.hpp"
#include "codec/proxy_url.hpp"
#include "codec/request_encoder.hpp"

using namespace stytch::detail;
using stytch::error;

namespace {

bool refused_as_invalid(const std::string& url) {
    auto p = parse_proxy_url(url);
    return !p && p.error() == error::invalid_config;
}

// Sets or unsets (nullptr) an environment variable for the scope of one test.
struct scoped_env {
    scoped_env(const char* name, const char* value) : name_(name) {
        if (const char* old = std::getenv(name)) {
            old_ = old;
            had_ = true;
        }
        value ? ::setenv(name, value, 1) : ::unsetenv(name);
    }
    ~scoped_env() { had_ ? ::setenv(name_, old_.c_str(), 1) : ::unsetenv(name_); }
    const char* name_;
    std::string old_;
    bool had_ = false;
};

// The four variables proxy_from_environment() reads (nullptr: unset).
struct proxy_variables {
    const char* https_proxy;
    const char* HTTPS_PROXY;
    const char* no_proxy;
    const char* NO_PROXY;
};

// `cfg` after proxy_from_environment() with `v` set.
stytch::client_config from_environment(const proxy_variables& v, stytch::client_config cfg = {}) {
    scoped_env a("https_proxy", v.https_proxy);
    scoped_env b("HTTPS_PROXY", v.HTTPS_PROXY);
    scoped_env c("no_proxy", v.no_proxy);
    scoped_env d("NO_PROXY", v.NO_PROXY);
    cfg.proxy_from_environment();
    return cfg;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(proxy_url)

BOOST_AUTO_TEST_CASE(host_port_and_default_port) {
    auto p = parse_proxy_url("http://proxy.corp:3128").value();
    BOOST_TEST(p.host == "proxy.corp");
    BOOST_TEST(p.port == 3128);
    BOOST_TEST(p.authorization.empty());
    BOOST_TEST(parse_proxy_url("http://proxy.corp").value().port == 1080);  // curl's default
    BOOST_TEST(parse_proxy_url("http://proxy.corp/").value().host == "proxy.corp");
    BOOST_TEST(parse_proxy_url("HTTP://10.1.2.3:8080").value().host == "10.1.2.3");
    auto v6 = parse_proxy_url("http://[::1]:3128").value();
    BOOST_TEST(v6.host == "::1");
    BOOST_TEST(v6.port == 3128);
}

BOOST_AUTO_TEST_CASE(authority_names_the_proxy_without_credentials) {
    BOOST_TEST(authority(parse_proxy_url("http://u:secret@proxy.corp:3128").value()) ==
               "proxy.corp:3128");
    BOOST_TEST(authority(parse_proxy_url("https://[::1]").value()) == "[::1]:443");
}

BOOST_AUTO_TEST_CASE(https_proxy_is_tls_to_the_proxy) {
    auto p = parse_proxy_url("https://u:p@proxy.corp:8443").value();
    BOOST_TEST(p.tls);
    BOOST_TEST(p.port == 8443);
    BOOST_TEST(p.authorization == "Basic " + base64_encode("u:p"));
    BOOST_TEST(parse_proxy_url("HTTPS://proxy.corp").value().port == 443);
    BOOST_TEST(!parse_proxy_url("http://proxy.corp").value().tls);
}

BOOST_AUTO_TEST_CASE(without_scheme_is_http) {
    auto p = parse_proxy_url("proxy.corp:3128").value();
    BOOST_TEST(p.host == "proxy.corp");
    BOOST_TEST(p.port == 3128);
}

BOOST_AUTO_TEST_CASE(credentials_are_percent_decoded_into_basic) {
    // "user@corp" / "p:ss w" -> base64("user@corp:p:ss w")
    auto p = parse_proxy_url("http://user%40corp:p%3Ass%20w@proxy:3128").value();
    BOOST_TEST(p.authorization == "Basic " + base64_encode("user@corp:p:ss w"));
    BOOST_TEST(parse_proxy_url("http://alice:@proxy:1").value().authorization ==
               "Basic " + base64_encode("alice:"));
    BOOST_TEST(parse_proxy_url("http://alice@proxy:1").value().authorization ==
               "Basic " + base64_encode("alice:"));
}

BOOST_AUTO_TEST_CASE(unsupported_or_malformed_urls_are_invalid_config) {
    for (const std::string url :
         {"socks5://proxy:1080", "socks5h://proxy", "ftp://proxy", "http://", "http://:3128",
          "http://proxy:0", "http://proxy:65536", "http://proxy:12ab", "http://proxy/path",
          "http://proxy:3128?x=1", "http://proxy:3128#f", "http://pro%78y:1", "http://[::1"}) {
        BOOST_TEST(refused_as_invalid(url), url);
    }
}

BOOST_AUTO_TEST_CASE(control_characters_in_credentials_are_invalid_config) {
    for (const std::string url :
         {"http://us%0D%0Aer:pw@proxy:1", "http://user:p%0Aw@proxy:1", "http://user:p%00w@proxy:1",
          "http://user:p%7Fw@proxy:1", "http://:pw@proxy:1", "http://a%3Ab:pw@proxy:1"}) {
        BOOST_TEST(refused_as_invalid(url), url);
    }
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(no_proxy)

BOOST_AUTO_TEST_CASE(empty_list_matches_nothing) {
    BOOST_TEST(!no_proxy_matches("", "api.stytch.com", 443));
    BOOST_TEST(!no_proxy_matches(" , ,", "api.stytch.com", 443));
}

BOOST_AUTO_TEST_CASE(star_matches_everything) {
    BOOST_TEST(no_proxy_matches("*", "api.stytch.com", 443));
    BOOST_TEST(no_proxy_matches("localhost, *", "10.0.0.1", 443));
    BOOST_TEST(!no_proxy_matches("*.", "api.stytch.com", 443));
}

BOOST_AUTO_TEST_CASE(host_names_and_domain_suffixes) {
    BOOST_TEST(no_proxy_matches("stytch.com", "stytch.com", 443));
    BOOST_TEST(no_proxy_matches("stytch.com", "api.stytch.com", 443));
    BOOST_TEST(no_proxy_matches(".stytch.com", "api.stytch.com", 443));
    BOOST_TEST(no_proxy_matches(".stytch.com", "stytch.com", 443));  // as curl
    BOOST_TEST(no_proxy_matches("*.stytch.com", "api.stytch.com", 443));
    BOOST_TEST(!no_proxy_matches("stytch.com", "notstytch.com", 443));
    BOOST_TEST(!no_proxy_matches("api.stytch.com", "stytch.com", 443));
    BOOST_TEST(!no_proxy_matches("stytch.co", "api.stytch.com", 443));
    BOOST_TEST(no_proxy_matches("example.org,stytch.com", "api.stytch.com", 443));
    BOOST_TEST(no_proxy_matches("example.org stytch.com", "api.stytch.com", 443));
}

BOOST_AUTO_TEST_CASE(case_and_trailing_dot_are_ignored) {
    BOOST_TEST(no_proxy_matches("STYTCH.com", "api.Stytch.COM", 443));
    BOOST_TEST(no_proxy_matches("stytch.com.", "api.stytch.com", 443));
    BOOST_TEST(no_proxy_matches("stytch.com", "api.stytch.com.", 443));
}

BOOST_AUTO_TEST_CASE(ports) {
    BOOST_TEST(no_proxy_matches("stytch.com:443", "api.stytch.com", 443));
    BOOST_TEST(!no_proxy_matches("stytch.com:8443", "api.stytch.com", 443));
    BOOST_TEST(no_proxy_matches("127.0.0.1:8443", "127.0.0.1", 8443));
    BOOST_TEST(!no_proxy_matches("127.0.0.1:8443", "127.0.0.1", 443));
    BOOST_TEST(no_proxy_matches("[::1]:8443", "::1", 8443));
    BOOST_TEST(!no_proxy_matches("[::1]:8443", "::1", 443));
    BOOST_TEST(!no_proxy_matches("stytch.com:x", "api.stytch.com", 443));
}

BOOST_AUTO_TEST_CASE(ip_addresses) {
    BOOST_TEST(no_proxy_matches("127.0.0.1", "127.0.0.1", 443));
    BOOST_TEST(!no_proxy_matches("127.0.0.1", "127.0.0.2", 443));
    BOOST_TEST(no_proxy_matches("::1", "::1", 443));
    BOOST_TEST(no_proxy_matches("[::1]", "0:0::1", 443));
    BOOST_TEST(no_proxy_matches("fd00::AB", "fd00::ab", 443));
    // Names are not resolved: "localhost" does not match 127.0.0.1, nor an address a name.
    BOOST_TEST(!no_proxy_matches("localhost", "127.0.0.1", 443));
    BOOST_TEST(!no_proxy_matches("127.0.0.1", "localhost", 443));
    BOOST_TEST(!no_proxy_matches("0.1", "127.0.0.1", 443));  // no suffix match on addresses
}

BOOST_AUTO_TEST_CASE(cidr_blocks) {
    BOOST_TEST(no_proxy_matches("10.0.0.0/8", "10.200.3.4", 443));
    BOOST_TEST(!no_proxy_matches("10.0.0.0/8", "11.0.0.1", 443));
    BOOST_TEST(no_proxy_matches("192.168.1.0/25", "192.168.1.127", 443));
    BOOST_TEST(!no_proxy_matches("192.168.1.0/25", "192.168.1.128", 443));
    BOOST_TEST(no_proxy_matches("0.0.0.0/0", "8.8.8.8", 443));
    BOOST_TEST(no_proxy_matches("127.0.0.1/32", "127.0.0.1", 443));
    BOOST_TEST(no_proxy_matches("fd00::/8", "fdab::1", 443));
    BOOST_TEST(!no_proxy_matches("fd00::/8", "fe80::1", 443));
    BOOST_TEST(!no_proxy_matches("10.0.0.0/8", "fd00::1", 443));  // another family
    BOOST_TEST(!no_proxy_matches("10.0.0.0/33", "10.0.0.1", 443));
    BOOST_TEST(!no_proxy_matches("10.0.0.0/", "10.0.0.1", 443));
    BOOST_TEST(!no_proxy_matches("10.0.0.0/8", "ten.example", 443));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(proxy_environment)

BOOST_AUTO_TEST_CASE(lowercase_wins_as_in_curl_and_empty_counts_as_unset) {
    const auto cfg = from_environment({.https_proxy = "http://lower:1",
                                       .HTTPS_PROXY = "http://upper:2",
                                       .no_proxy = "",
                                       .NO_PROXY = "stytch.com"});
    BOOST_TEST(cfg.proxy == "http://lower:1");
    BOOST_TEST(cfg.no_proxy == "stytch.com");
}

BOOST_AUTO_TEST_CASE(uppercase_alone_is_read) {
    const auto cfg = from_environment({.https_proxy = nullptr,
                                       .HTTPS_PROXY = "http://upper:2",
                                       .no_proxy = "example.org",
                                       .NO_PROXY = nullptr});
    BOOST_TEST(cfg.proxy == "http://upper:2");
    BOOST_TEST(cfg.no_proxy == "example.org");
}

BOOST_AUTO_TEST_CASE(nothing_set_turns_the_proxy_off) {
    scoped_env e("http_proxy", "http://only-for-http:1");  // not read: the API is https
    scoped_env f("ALL_PROXY", "http://all:1");
    stytch::client_config configured;
    configured.proxy = "http://configured:1";
    const auto cfg = from_environment({}, configured);
    BOOST_TEST(cfg.proxy.empty());
    BOOST_TEST(cfg.no_proxy.empty());
}

BOOST_AUTO_TEST_SUITE_END()
