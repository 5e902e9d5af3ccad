// Error answers: Stytch's shape, the OAuth2 one, anything else, and the error code each maps to
// (api_error_reader).

#include <boost/json/parse.hpp>
#include <boost/test/unit_test.hpp>

#include <string>

#include <stytch/error.hpp>

#include "codec/response_decoder.hpp"

namespace json = boost::json;
using stytch::error;
using stytch::detail::decode_api_error;
using stytch::detail::error_code_for;

BOOST_AUTO_TEST_SUITE(api_error_decoding)

BOOST_AUTO_TEST_CASE(stytch_shape) {
    const std::string body = R"({
        "status_code": 404,
        "request_id": "request-id-test-3f1c2d4e-5a6b-4c7d-8e9f-0a1b2c3d4e5f",
        "error_type": "organization_not_found",
        "error_message": "Organization could not be found.",
        "error_url": "https://stytch.com/docs/api/errors/404#organization_not_found",
        "error_details": {"organization_id": "organization-test-x", "hints": [1, 2]}
    })";
    stytch::api_error e;
    const auto ec = decode_api_error(404, body, e);
    BOOST_TEST((ec == error::organization_not_found));
    BOOST_TEST((ec == stytch::condition::api_error));
    BOOST_TEST(e.status_code == 404);
    BOOST_TEST(e.request_id == "request-id-test-3f1c2d4e-5a6b-4c7d-8e9f-0a1b2c3d4e5f");
    BOOST_TEST(e.error_type == "organization_not_found");
    BOOST_TEST(e.error_message == "Organization could not be found.");
    BOOST_TEST(e.error_url == "https://stytch.com/docs/api/errors/404#organization_not_found");
    BOOST_TEST((e.error_details ==
                json::parse(R"({"organization_id": "organization-test-x", "hints": [1, 2]})")));
    BOOST_TEST(e.error_details.storage().get() == json::storage_ptr().get());
}

BOOST_AUTO_TEST_CASE(status_code_is_always_the_http_status) {
    stytch::api_error e;
    const auto ec =
        decode_api_error(429, R"({"status_code": 400, "error_type": "too_many_requests"})", e);
    BOOST_TEST((ec == error::too_many_requests));
    BOOST_TEST(e.status_code == 429);
}

BOOST_AUTO_TEST_CASE(oauth2_shape) {
    stytch::api_error e;
    const auto ec = decode_api_error(401, R"({
        "error": "invalid_client",
        "error_description": "Client authentication failed.",
        "error_uri": "https://stytch.com/docs/api/errors/401"
    })",
                                     e);
    BOOST_TEST((ec == error::client_error));
    BOOST_TEST(e.status_code == 401);
    BOOST_TEST(e.error_type == "invalid_client");
    BOOST_TEST(e.error_message == "Client authentication failed.");
    BOOST_TEST(e.error_url == "https://stytch.com/docs/api/errors/401");
    BOOST_TEST(e.request_id.empty());
    BOOST_TEST(e.error_details.is_null());
}

BOOST_AUTO_TEST_CASE(oauth2_error_with_a_known_type) {
    stytch::api_error e;
    BOOST_TEST((decode_api_error(401, R"({"error": "unauthorized_credentials"})", e) ==
                error::unauthorized_credentials));
}

BOOST_AUTO_TEST_CASE(non_json_bodies_keep_only_the_status) {
    struct case_t {
        int status;
        std::string body;
        error expected;
    };
    const case_t cases[] = {
        {502,
         "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 "
         "Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n",
         error::server_error},
        {500, "", error::server_error},
        {503, "Service Unavailable", error::server_error},
        {400, "[\"error_type\", \"organization_not_found\"]", error::client_error},
        {404, "\"organization_not_found\"", error::client_error},
        {404, R"({"error_type": "organization_not_found")", error::client_error},  // truncated
        {301, "", error::unexpected_status},
    };
    for (const auto& c : cases) {
        BOOST_TEST_CONTEXT(c.status << " " << c.body) {
            stytch::api_error e;
            e.request_id = "stale";
            e.error_details = 5;
            BOOST_TEST((decode_api_error(c.status, c.body, e) == c.expected));
            stytch::api_error expected;
            expected.status_code = c.status;
            BOOST_TEST((e == expected));
        }
    }
}

BOOST_AUTO_TEST_CASE(wrong_types_are_ignored) {
    stytch::api_error e;
    const auto ec = decode_api_error(
        403,
        R"({"status_code": "403", "request_id": "request-id-test-1", "error_type": 5,
            "error_message": ["x"], "error_url": {}, "error_details": "just a string"})",
        e);
    BOOST_TEST((ec == error::client_error));
    BOOST_TEST(e.status_code == 403);
    BOOST_TEST(e.request_id == "request-id-test-1");
    BOOST_TEST(e.error_type.empty());
    BOOST_TEST(e.error_message.empty());
    BOOST_TEST(e.error_url.empty());
    BOOST_TEST((e.error_details == json::value("just a string")));
}

BOOST_AUTO_TEST_CASE(stytch_names_win_over_oauth2_names) {
    stytch::api_error e;
    decode_api_error(400,
                     R"({"error_type": "session_not_found", "error": "invalid_grant",
                         "error_message": "m1", "error_description": "m2"})",
                     e);
    BOOST_TEST(e.error_type == "session_not_found");
    BOOST_TEST(e.error_message == "m1");
}

BOOST_AUTO_TEST_CASE(error_codes_for_known_types) {
    BOOST_TEST(
        (error_code_for(401, "unauthorized_credentials") == error::unauthorized_credentials));
    BOOST_TEST((error_code_for(429, "too_many_requests") == error::too_many_requests));
    BOOST_TEST((error_code_for(500, "internal_server_error") == error::internal_server_error));
    BOOST_TEST((error_code_for(404, "organization_not_found") == error::organization_not_found));
    BOOST_TEST((error_code_for(404, "session_not_found") == error::session_not_found));
    BOOST_TEST((error_code_for(403, "unauthorized_action") == error::unauthorized_action));
    // The type decides, whatever the status.
    BOOST_TEST((error_code_for(400, "organization_not_found") == error::organization_not_found));
}

BOOST_AUTO_TEST_CASE(error_codes_by_status_class) {
    BOOST_TEST((error_code_for(400, "") == error::client_error));
    BOOST_TEST((error_code_for(404, "some_new_error_type") == error::client_error));
    BOOST_TEST((error_code_for(499, "") == error::client_error));
    BOOST_TEST((error_code_for(500, "") == error::server_error));
    BOOST_TEST((error_code_for(503, "Organization_Not_Found") == error::server_error));
    BOOST_TEST((error_code_for(599, "") == error::server_error));
    BOOST_TEST((error_code_for(100, "") == error::unexpected_status));
    BOOST_TEST((error_code_for(302, "") == error::unexpected_status));
    BOOST_TEST((error_code_for(600, "") == error::unexpected_status));
    BOOST_TEST((error_code_for(0, "") == error::unexpected_status));
    for (const int status : {100, 302, 404, 500, 600}) {
        BOOST_TEST((error_code_for(status, "x") == stytch::condition::api_error));
    }
}

BOOST_AUTO_TEST_SUITE_END()
