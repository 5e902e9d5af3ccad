// The entry points: bodies that are not one JSON object, the depth limit of values the tables
// do not describe, and numbers beyond the range of a double, for success and error answers.

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/test/unit_test.hpp>

#include <string>
#include <string_view>

#include <stytch/b2b/organizations.hpp>
#include <stytch/error.hpp>

#include "codec/response_decoder.hpp"
#include "support/json_text.hpp"
#include "unit/codec/decode_test_support.hpp"
#include "unit/test_support.hpp"

namespace json = boost::json;
using stytch::error;
using stytch::b2b::delete_external_id_response;
using stytch::detail::decode_api_error;
using stytch::detail::decode_delete_external_id;
using namespace stytch::test;

BOOST_AUTO_TEST_SUITE(response_decoding)

BOOST_AUTO_TEST_CASE(malformed_bodies) {
    const std::string& body = full_body();
    for (const std::size_t cut :
         {std::size_t{0}, std::size_t{1}, body.size() / 3, body.size() / 2, body.size() - 3}) {
        BOOST_TEST_CONTEXT("truncated at " << cut) {
            BOOST_TEST((decode(std::string_view(body).substr(0, cut)).ec == error::malformed_json));
        }
    }
    for (const char* bad : {"", " ", "null", "true", "42", "\"string\"", "[]", "[{}]", "{",
                            "{\"request_id\":}", "{} {}", "{}x",
                            "<html><body>502 Bad Gateway"
                            "</body></html>",
                            "{'request_id': 'single quotes'}"}) {
        BOOST_TEST_CONTEXT(bad) {
            BOOST_TEST((decode(std::string_view(bad)).ec == error::malformed_json));
        }
    }
    BOOST_TEST((decode(std::string_view("{}")).ec == error::missing_field));
    BOOST_TEST((decode(std::string_view("{}")).ec == stytch::condition::decode_error));
}

BOOST_AUTO_TEST_CASE(deeply_nested_json_is_refused_without_crashing) {
    std::string deep = "{\"request_id\":\"r\",\"x\":";
    deep += std::string(10000, '[');
    deep += std::string(10000, ']');
    deep += "}";
    BOOST_TEST((decode(std::string_view(deep)).ec == error::json_too_deep));
}

BOOST_AUTO_TEST_SUITE_END()

// ---- depth and number range (issue 9, items 6 and 9) ---------------------------------------

namespace {

// The full answer with `member` of the organization replaced by the raw JSON text `raw`.
std::string with_org_member(std::string_view member, std::string_view raw) {
    auto dom = full_dom();
    org_of(dom)[member] = "@placeholder@";
    std::string body = json::serialize(dom);
    const std::string placeholder = "\"@placeholder@\"";
    body.replace(body.find(placeholder), placeholder.size(), raw);
    return body;
}

// An error answer with `error_details` given as raw JSON text.
std::string error_with_details(std::string_view raw) {
    return R"({"status_code":404,"request_id":"request-id-test-deep","error_type":)"
           R"("organization_not_found","error_message":"m","error_url":"u","error_details":)" +
           std::string(raw) + "}";
}

}  // namespace

BOOST_AUTO_TEST_SUITE(depth_and_number_range)

BOOST_AUTO_TEST_CASE(trusted_metadata_64_deep_is_decoded_by_default) {
    for (const std::size_t n : {31u, 32u, 33u, 63u, 64u}) {
        delete_external_id_response r;
        const auto ec = decode_delete_external_id(
            200, with_org_member("trusted_metadata", nested_objects(n)), r);
        BOOST_TEST_REQUIRE(!ec, n << ": " << ec.message());
        BOOST_REQUIRE(r.organization.trusted_metadata);
        const json::value whole(*r.organization.trusted_metadata);
        std::size_t depth = 0;
        for (const json::value* v = &whole; v->is_object(); v = &v->at("a")) {
            ++depth;
        }
        BOOST_TEST(depth == n);
    }
}

BOOST_AUTO_TEST_CASE(deeper_than_the_limit_is_json_too_deep) {
    delete_external_id_response r;
    BOOST_TEST(
        (decode_delete_external_id(200, with_org_member("trusted_metadata", nested_objects(65)),
                                   r) == error::json_too_deep));
    BOOST_TEST(
        (decode_delete_external_id(200, with_org_member("trusted_metadata", nested_objects(5000)),
                                   r) == error::json_too_deep));
    // A configured limit, at and past it.
    BOOST_TEST(!decode_delete_external_id(
        200, with_org_member("trusted_metadata", nested_objects(10)), r, 10));
    const auto ec = decode_delete_external_id(
        200, with_org_member("trusted_metadata", nested_objects(11)), r, 10);
    BOOST_TEST((ec == error::json_too_deep));
    BOOST_TEST((ec == stytch::condition::decode_error));
    BOOST_TEST(!decode_delete_external_id(
        200, with_org_member("trusted_metadata", nested_objects(100)), r, 100));
}

BOOST_AUTO_TEST_CASE(skipped_values_have_the_same_limit) {
    delete_external_id_response r;
    // An unknown member, and a free-form member of the wrong kind (skipped as unexpected_type).
    const std::string deep_array = std::string(65, '[') + std::string(65, ']');
    BOOST_TEST(
        !decode_delete_external_id(200, with_org_member("future_member", nested_objects(64)), r));
    BOOST_TEST((decode_delete_external_id(200, with_org_member("future_member", nested_objects(65)),
                                          r) == error::json_too_deep));
    BOOST_TEST((decode_delete_external_id(200, with_org_member("trusted_metadata", deep_array),
                                          r) == error::json_too_deep));
    BOOST_TEST((decode_delete_external_id(200, with_org_member("organization_name", deep_array),
                                          r) == error::json_too_deep));
}

BOOST_AUTO_TEST_CASE(non_finite_numbers_fail_the_decode) {
    for (const char* raw :
         {R"({"seats":1e400})", R"({"seats":-1e400})", R"({"a":[1,2,{"b":1E+999}]})"}) {
        delete_external_id_response r;
        const auto ec = decode_delete_external_id(200, with_org_member("trusted_metadata", raw), r);
        BOOST_TEST((ec == error::non_finite_number), raw);
        BOOST_TEST((ec == stytch::condition::decode_error));
    }
    delete_external_id_response r;
    // Anywhere in the body, also in a member nobody stores.
    BOOST_TEST((decode_delete_external_id(200, with_org_member("future_member", "1e400"), r) ==
                error::non_finite_number));
    // A typed field with a non-finite number: the number decides.
    BOOST_TEST((decode_delete_external_id(200, with_org_member("organization_name", "1e400"), r) ==
                error::non_finite_number));
    // Small and large finite numbers stay.
    BOOST_TEST_REQUIRE(!decode_delete_external_id(
        200, with_org_member("trusted_metadata", R"({"tiny":1e-400,"big":1.7e308})"), r));
    BOOST_TEST(r.organization.trusted_metadata->at("tiny").as_double() == 0.0);
    BOOST_TEST(r.organization.trusted_metadata->at("big").as_double() == 1.7e308);
}

BOOST_AUTO_TEST_CASE(malformed_json_still_wins_over_a_non_finite_number) {
    delete_external_id_response r;
    BOOST_TEST((decode_delete_external_id(200, R"({"a":1e400,)", r) == error::malformed_json));
    BOOST_TEST((decode_delete_external_id(200, R"([1e400])", r) == error::malformed_json));
}

BOOST_AUTO_TEST_CASE(error_details_64_deep_are_kept) {
    stytch::api_error e;
    const auto ec = decode_api_error(404, error_with_details(nested_objects(64)), e);
    BOOST_TEST((ec == error::organization_not_found));
    BOOST_TEST(e.request_id == "request-id-test-deep");
    BOOST_TEST((e.error_details ==
                json::parse(nested_objects(64), {}, json::parse_options{.max_depth = 64})));
}

BOOST_AUTO_TEST_CASE(error_answer_deeper_than_the_limit_is_read_like_a_non_json_body) {
    for (const std::size_t limit : {64u, 8u}) {
        stytch::api_error e;
        const auto ec =
            decode_api_error(404, error_with_details(nested_objects(limit + 1)), e, limit);
        BOOST_TEST((ec == error::client_error));
        stytch::api_error expected;
        expected.status_code = 404;
        BOOST_TEST((e == expected));
        BOOST_TEST(!!decode_api_error(404, error_with_details(nested_objects(limit)), e, limit));
        BOOST_TEST(e.error_type == "organization_not_found");
    }
}

BOOST_AUTO_TEST_CASE(error_details_with_a_non_finite_number_are_dropped) {
    stytch::api_error e;
    const auto ec = decode_api_error(404, error_with_details(R"({"limit":[1,1e400]})"), e);
    BOOST_TEST((ec == error::organization_not_found));
    BOOST_TEST(e.request_id == "request-id-test-deep");
    BOOST_TEST(e.error_message == "m");
    BOOST_TEST(e.error_details.is_null());
    BOOST_TEST(!!decode_api_error(404, error_with_details(R"({"limit":[1,1e300]})"), e));
    BOOST_TEST(e.error_details.at("limit").at(1).as_double() == 1e300);
}

BOOST_AUTO_TEST_SUITE_END()
