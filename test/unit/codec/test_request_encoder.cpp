#include <boost/test/unit_test.hpp>

#include <string>

#include <stytch/b2b/organizations.hpp>
#include <stytch/error.hpp>

#include "codec/base_url.hpp"
#include "codec/request_encoder.hpp"

using stytch::error;
using stytch::b2b::delete_external_id_options;
using stytch::b2b::delete_external_id_request;
using stytch::detail::append_percent_encoded;
using stytch::detail::base64_encode;
using stytch::detail::encoded_request;
using stytch::detail::endpoint;
using stytch::detail::is_path_segment_of;
using stytch::detail::is_valid_header_value;
using stytch::detail::request_encoder;

namespace {

constexpr std::string_view project_id = "project-test-36510638-652a-4d6f-a7e6-4d0e2b2b8d1f";
constexpr std::string_view secret = "secret-test-OaUXNGlUq5NpkYtJEVR8n2wQ3k0ZLr1m";
// base64("<project_id>:<secret>"), computed independently.
constexpr std::string_view basic_credential =
    "cHJvamVjdC10ZXN0LTM2NTEwNjM4LTY1MmEtNGQ2Zi1hN2U2LTRkMGUyYjJiOGQxZjpzZWNyZXQtdGVzdC1PYVVYTkds"
    "VXE1TnBrWXRKRVZSOG4yd1EzazBaTHIxbQ==";
constexpr std::string_view user_agent = "Stytch C++ v0.1.0";

const endpoint test_endpoint{"test.stytch.com", 443, "test.stytch.com", ""};

std::string percent_encoded(std::string_view s) {
    std::string out = "prefix:";
    append_percent_encoded(out, s);
    BOOST_TEST_REQUIRE(out.starts_with("prefix:"));  // appends, never replaces
    return out.substr(7);
}

std::string expected_request(std::string_view target, std::string_view extra_headers = {},
                             std::string_view host = "test.stytch.com") {
    std::string r;
    r += "DELETE ";
    r += target;
    r += " HTTP/1.1\r\nHost: ";
    r += host;
    r += "\r\nAuthorization: Basic ";
    r += basic_credential;
    r += "\r\nContent-Type: application/json\r\nUser-Agent: ";
    r += user_agent;
    r += "\r\nContent-Length: 0\r\n";
    r += extra_headers;
    r += "\r\n";
    return r;
}

boost::system::error_code encode(const delete_external_id_request& req,
                                 const delete_external_id_options& opts, std::string& out,
                                 const endpoint& ep = test_endpoint) {
    const request_encoder enc(ep, project_id, secret, user_agent);
    encoded_request encoded;
    encoded.http1 = out;  // unchanged on error
    const auto ec = enc.encode_delete_external_id(req, opts, encoded);
    out = encoded.http1;
    return ec;
}

}  // namespace

BOOST_AUTO_TEST_SUITE(request_encoding)

BOOST_AUTO_TEST_CASE(base64_rfc4648_vectors) {
    BOOST_TEST(base64_encode("") == "");
    BOOST_TEST(base64_encode("f") == "Zg==");
    BOOST_TEST(base64_encode("fo") == "Zm8=");
    BOOST_TEST(base64_encode("foo") == "Zm9v");
    BOOST_TEST(base64_encode("foob") == "Zm9vYg==");
    BOOST_TEST(base64_encode("fooba") == "Zm9vYmE=");
    BOOST_TEST(base64_encode("foobar") == "Zm9vYmFy");
    BOOST_TEST(base64_encode(std::string_view("\xff\xfe\xfd\x00", 4)) == "//79AA==");
    // RFC 7617's Basic example.
    BOOST_TEST(base64_encode("Aladdin:open sesame") == "QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
}

BOOST_AUTO_TEST_CASE(header_value_validity) {
    BOOST_TEST(is_valid_header_value(""));
    BOOST_TEST(is_valid_header_value("token with spaces\tand tabs \xc3\xa9"));
    BOOST_TEST(!is_valid_header_value("a\rb"));
    BOOST_TEST(!is_valid_header_value("a\nb"));
    BOOST_TEST(!is_valid_header_value(std::string_view("a\0b", 3)));
    BOOST_TEST(!is_valid_header_value("\r\n"));
}

BOOST_AUTO_TEST_CASE(header_value_refuses_every_control_character_but_htab) {
    for (int b = 0; b < 256; ++b) {
        const std::string v = "tok" + std::string(1, static_cast<char>(b)) + "en";
        const bool control = (b < 0x20 && b != 0x09) || b == 0x7F;
        BOOST_TEST(is_valid_header_value(v) == !control, "byte " << b);
    }
    BOOST_TEST(!is_valid_header_value("\x01"));
    BOOST_TEST(!is_valid_header_value("abc\x1f"));
    BOOST_TEST(
        !is_valid_header_value("\x7f"
                               "abc"));
    BOOST_TEST(is_valid_header_value("a\tb"));              // HTAB is field content
    BOOST_TEST(is_valid_header_value("\x80\xff\xc3\xa9"));  // obs-text (RFC 9110 §5.5)
}

BOOST_AUTO_TEST_CASE(unreserved_bytes_are_kept) {
    const std::string unreserved =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~";
    BOOST_TEST(percent_encoded(unreserved) == unreserved);
    BOOST_TEST(percent_encoded("organization-test-07971b06-ac8b-4cdb-9c15-63b17e653931") ==
               "organization-test-07971b06-ac8b-4cdb-9c15-63b17e653931");
}

BOOST_AUTO_TEST_CASE(other_bytes_are_percent_encoded) {
    BOOST_TEST(percent_encoded(" ") == "%20");
    BOOST_TEST(percent_encoded("/") == "%2F");
    BOOST_TEST(percent_encoded("?") == "%3F");
    BOOST_TEST(percent_encoded("#") == "%23");
    BOOST_TEST(percent_encoded("%") == "%25");
    BOOST_TEST(percent_encoded("%41") == "%2541");
    BOOST_TEST(percent_encoded("../") == "..%2F");
    BOOST_TEST(percent_encoded("../../v1/users") == "..%2F..%2Fv1%2Fusers");
    BOOST_TEST(percent_encoded("caf\xc3\xa9") == "caf%C3%A9");
    BOOST_TEST(percent_encoded(std::string_view("a\0b", 3)) == "a%00b");
    BOOST_TEST(percent_encoded("\r\n") == "%0D%0A");
    BOOST_TEST(percent_encoded("\xff") == "%FF");
    BOOST_TEST(percent_encoded("a+b=c&d;e:f@g") == "a%2Bb%3Dc%26d%3Be%3Af%40g");
    BOOST_TEST(percent_encoded("") == "");
}

BOOST_AUTO_TEST_CASE(exact_request_without_member_session) {
    std::string out;
    BOOST_TEST(!encode({"org-1"}, {}, out));
    BOOST_TEST(out == expected_request("/v1/b2b/organizations/org-1/external_id"));
    BOOST_TEST(
        out ==
        "DELETE /v1/b2b/organizations/org-1/external_id HTTP/1.1\r\n"
        "Host: test.stytch.com\r\n"
        "Authorization: Basic "
        "cHJvamVjdC10ZXN0LTM2NTEwNjM4LTY1MmEtNGQ2Zi1hN2U2LTRkMGUyYjJiOGQxZjpzZWNyZXQtdGVzdC1P"
        "YVVYTkdsVXE1TnBrWXRKRVZSOG4yd1EzazBaTHIxbQ==\r\n"
        "Content-Type: application/json\r\n"
        "User-Agent: Stytch C++ v0.1.0\r\n"
        "Content-Length: 0\r\n"
        "\r\n");
}

BOOST_AUTO_TEST_CASE(basic_credential_is_project_id_colon_secret) {
    const request_encoder enc(test_endpoint, "Aladdin", "open sesame", user_agent);
    encoded_request encoded;
    BOOST_TEST(!enc.encode_delete_external_id({"o"}, {}, encoded));
    const std::string& out = encoded.http1;
    BOOST_TEST(out.find("\r\nAuthorization: Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==\r\n") !=
               std::string::npos);
    // The secret itself never appears in clear.
    BOOST_TEST(out.find("open sesame") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(member_session_headers) {
    std::string out;
    BOOST_TEST(!encode({"org-1"},
                       {.session_token = "mZAYn5aLEqKUlZ_Ad9U_fWr38GaAQ1oFAhT8ds245v7Q",
                        .session_jwt = std::nullopt},
                       out));
    BOOST_TEST(out == expected_request("/v1/b2b/organizations/org-1/external_id",
                                       "X-Stytch-Member-Session: "
                                       "mZAYn5aLEqKUlZ_Ad9U_fWr38GaAQ1oFAhT8ds245v7Q\r\n"));

    BOOST_TEST(!encode({"org-1"},
                       {.session_token = std::nullopt, .session_jwt = "eyJhbGciOi.e30.sig"}, out));
    BOOST_TEST(out == expected_request("/v1/b2b/organizations/org-1/external_id",
                                       "X-Stytch-Member-SessionJWT: eyJhbGciOi.e30.sig\r\n"));
}

BOOST_AUTO_TEST_CASE(organization_id_is_percent_encoded_in_the_path) {
    std::string out;
    BOOST_TEST(!encode({"../users/x?y#z"}, {}, out));
    BOOST_TEST(out == expected_request("/v1/b2b/organizations/..%2Fusers%2Fx%3Fy%23z/external_id"));
    BOOST_TEST(!encode({std::string("a\0b c\r\n", 7)}, {}, out));
    BOOST_TEST(out == expected_request("/v1/b2b/organizations/a%00b%20c%0D%0A/external_id"));
    BOOST_TEST(!encode({"caf\xc3\xa9"}, {}, out));
    BOOST_TEST(out == expected_request("/v1/b2b/organizations/caf%C3%A9/external_id"));
}

BOOST_AUTO_TEST_CASE(dot_segments_are_encoded_other_dots_kept) {
    const std::pair<const char*, const char*> cases[] = {
        {".", "%2E"}, {"..", "%2E%2E"}, {"...", "..."}, {"a.b", "a.b"},
        {".a", ".a"}, {"a..", "a.."},   {"./", ".%2F"}, {"../", "..%2F"},
    };
    for (const auto& [id, segment] : cases) {
        std::string out;
        BOOST_TEST(!encode({id}, {}, out), id);
        BOOST_TEST(out == expected_request(std::string("/v1/b2b/organizations/") + segment +
                                           "/external_id"),
                   id);
    }
}

BOOST_AUTO_TEST_CASE(header_values_with_control_characters_but_htab_are_sent) {
    std::string out;
    BOOST_TEST(!encode({"org-1"}, {.session_token = "a\tb\x80", .session_jwt = std::nullopt}, out));
    BOOST_TEST(out == expected_request("/v1/b2b/organizations/org-1/external_id",
                                       "X-Stytch-Member-Session: a\tb\x80\r\n"));
}

BOOST_AUTO_TEST_CASE(path_prefix_and_port) {
    const endpoint ep{"stytch-proxy.internal", 8443, "stytch-proxy.internal:8443", "/stytch/api"};
    std::string out;
    BOOST_TEST(!encode({"org-1"}, {}, out, ep));
    BOOST_TEST(out == expected_request("/stytch/api/v1/b2b/organizations/org-1/external_id", {},
                                       "stytch-proxy.internal:8443"));

    const auto parsed = stytch::detail::parse_base_url("https://[::1]:9443/p/");
    BOOST_TEST_REQUIRE(parsed.has_value());
    BOOST_TEST(!encode({"org-1"}, {}, out, *parsed));
    BOOST_TEST(out ==
               expected_request("/p/v1/b2b/organizations/org-1/external_id", {}, "[::1]:9443"));
}

// What the engine checks a success answer's organization against (engine/answer_owner.hpp):
// the id as the request path carries it, whatever the prefix and the session header.
BOOST_AUTO_TEST_CASE(the_organization_segment_of_a_request_is_the_encoded_id) {
    const endpoint prefixed{"stytch-proxy.internal", 8443, "stytch-proxy.internal:8443",
                            "/external_id/v1"};
    for (const endpoint& ep : {test_endpoint, prefixed}) {
        const request_encoder enc(ep, project_id, secret, user_agent);
        const std::pair<const char*, const char*> cases[] = {
            {"org-1", "org-1"},
            {"a/external_id HTTP/1.1", "a%2Fexternal_id%20HTTP%2F1.1"},
            {"..", "%2E%2E"},
            {"caf\xc3\xa9", "caf%C3%A9"},
        };
        for (const auto& [id, segment] : cases) {
            encoded_request out;
            BOOST_TEST(!enc.encode_delete_external_id({id}, {.session_token = "tok"}, out), id);
            BOOST_TEST(out.organization_segment() == segment, id);
            BOOST_TEST(is_path_segment_of(out.organization_segment(), id), id);
            BOOST_TEST(out.at(out.path) == ep.path_prefix + "/v1/b2b/organizations/" +
                                               std::string(segment) + "/external_id",
                       id);
            BOOST_TEST(out.at(out.session_value) == "tok");
        }
        BOOST_TEST(encoded_request{}.organization_segment().empty());
    }
}

BOOST_AUTO_TEST_CASE(a_segment_is_compared_with_a_value_as_it_would_be_encoded) {
    const std::pair<std::string, std::string> same[] = {
        {"org-1", "org-1"},
        {"a b/c", "a%20b%2Fc"},
        {"caf\xc3\xa9", "caf%C3%A9"},
        {".", "%2E"},
        {"..", "%2E%2E"},
        {"...", "..."},
        {"", ""},
        {std::string("a\0b", 3), "a%00b"},
    };
    for (const auto& [value, segment] : same) {
        BOOST_TEST(is_path_segment_of(segment, value), segment);
        std::string encoded;
        stytch::detail::append_path_segment(encoded, value);
        BOOST_TEST(encoded == segment);  // the same rule as the encoder
    }
    const std::pair<std::string, std::string> different[] = {
        {"org-1", "org-2"},  {"org-1", "org-1x"},
        {"org-1x", "org-1"}, {"a b", "a b"},
        {"a b", "a%20"},     {"a b", "a%2"},
        {"a/b", "a%2fb"},    {".", "."},
        {"..", ".."},        {"caf\xc3\xa9", "caf%C3"},
        {"", "x"},           {"x", ""},
    };
    for (const auto& [value, segment] : different) {
        BOOST_TEST(!is_path_segment_of(segment, value), value << " vs " << segment);
    }
}

BOOST_AUTO_TEST_CASE(success_replaces_previous_contents) {
    std::string out = "leftover bytes from a previous request";
    BOOST_TEST(!encode({"org-1"}, {}, out));
    BOOST_TEST(out == expected_request("/v1/b2b/organizations/org-1/external_id"));
    // A second, shorter request into the same buffer.
    BOOST_TEST(!encode({"o"}, {}, out));
    BOOST_TEST(out == expected_request("/v1/b2b/organizations/o/external_id"));
}

BOOST_AUTO_TEST_CASE(validation_errors_leave_out_unchanged) {
    struct case_t {
        const char* name;
        delete_external_id_request request;
        delete_external_id_options options;
        error expected;
    };
    const std::string nul("tok\0en", 6);
    const case_t cases[] = {
        {"empty id", {""}, {}, error::empty_organization_id},
        {"empty id wins over conflicting", {""}, {"t", "j"}, error::empty_organization_id},
        {"both credentials", {"org-1"}, {"t", "j"}, error::conflicting_authorization},
        {"both, one empty", {"org-1"}, {"", "j"}, error::conflicting_authorization},
        {"both empty", {"org-1"}, {"", ""}, error::conflicting_authorization},
        {"empty token", {"org-1"}, {"", std::nullopt}, error::empty_session_credential},
        {"empty jwt", {"org-1"}, {std::nullopt, ""}, error::empty_session_credential},
        {"CR in token", {"org-1"}, {"a\rb", std::nullopt}, error::invalid_header_value},
        {"LF in token", {"org-1"}, {"a\nX-Evil: 1", std::nullopt}, error::invalid_header_value},
        {"NUL in token", {"org-1"}, {nul, std::nullopt}, error::invalid_header_value},
        {"CRLF in jwt", {"org-1"}, {std::nullopt, "a\r\nb"}, error::invalid_header_value},
        {"LF in jwt", {"org-1"}, {std::nullopt, "\n"}, error::invalid_header_value},
        {"NUL in jwt", {"org-1"}, {std::nullopt, nul}, error::invalid_header_value},
        {"SOH in token",
         {"org-1"},
         {"a\x01"
          "b",
          std::nullopt},
         error::invalid_header_value},
        {"US in token",
         {"org-1"},
         {"a\x1f"
          "b",
          std::nullopt},
         error::invalid_header_value},
        {"DEL in token",
         {"org-1"},
         {"a\x7f"
          "b",
          std::nullopt},
         error::invalid_header_value},
        {"SOH in jwt", {"org-1"}, {std::nullopt, "\x01"}, error::invalid_header_value},
        {"DEL in jwt", {"org-1"}, {std::nullopt, "e30.\x7f"}, error::invalid_header_value},
        {"ESC in jwt", {"org-1"}, {std::nullopt, "\x1b[0m"}, error::invalid_header_value},
    };
    for (const auto& c : cases) {
        BOOST_TEST_CONTEXT(c.name) {
            std::string out = "sentinel";
            const auto ec = encode(c.request, c.options, out);
            BOOST_TEST((ec == c.expected));
            BOOST_TEST((ec == stytch::condition::invalid_request));
            BOOST_TEST(out == "sentinel");
        }
    }
}

BOOST_AUTO_TEST_SUITE_END()
