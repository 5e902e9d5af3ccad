#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value_from.hpp>
#include <boost/test/unit_test.hpp>

#include <cmath>
#include <limits>
#include <sstream>
#include <string>

#include <stytch/b2b/organizations.hpp>
#include <stytch/error.hpp>

#include "codec/response_decoder.hpp"
#include "unit/test_support.hpp"

namespace json = boost::json;
using stytch::b2b::delete_external_id_response;
using stytch::b2b::organization;
using stytch::detail::decode_api_error;
using stytch::detail::decode_delete_external_id;

namespace {

delete_external_id_response decode_ok(std::string_view body, int status = 200) {
    delete_external_id_response r;
    const auto ec = decode_delete_external_id(status, body, r);
    BOOST_TEST_REQUIRE(!ec, ec.message());
    return r;
}

delete_external_id_response full_response() {
    return decode_ok(stytch::test::full_body());
}

}  // namespace

BOOST_AUTO_TEST_SUITE(json_encoding)

BOOST_AUTO_TEST_CASE(organization_uses_api_field_names_and_writes_every_field) {
    const auto r = full_response();
    const json::value jv = json::value_from(r.organization);
    BOOST_TEST_REQUIRE(jv.is_object());
    const auto& o = jv.as_object();
    BOOST_TEST(o.size() == 30u);
    // Same members, same values as the sample's organization.
    auto sample = stytch::test::full_dom();
    BOOST_TEST((o == stytch::test::org_of(sample)));
    BOOST_TEST(o.at("organization_slug").as_string() == "example-org");
    BOOST_TEST(o.at("custom_roles").at(0).at("permissions").at(0).at("actions").at(1).as_string() ==
               "write");
    BOOST_TEST(o.at("scim_active_connection").at("bearer_token_last_four").as_string() == "a1B2");
}

BOOST_AUTO_TEST_CASE(absent_optionals_are_null) {
    organization o;
    o.scim_active_connection = stytch::b2b::active_scim_connection{"scim-1", "SCIM", {}, {}};
    const json::value jv = json::value_from(o);
    const auto& obj = jv.as_object();
    BOOST_TEST(obj.size() == 30u);
    for (const char* name :
         {"trusted_metadata", "created_at", "updated_at", "organization_external_id",
          "sso_default_connection_id", "allowed_oauth_tenants"}) {
        BOOST_TEST_CONTEXT(name) {
            BOOST_TEST_REQUIRE(obj.contains(name));
            BOOST_TEST(obj.at(name).is_null());
        }
    }
    const auto& scim = obj.at("scim_active_connection").as_object();
    BOOST_TEST(scim.size() == 4u);
    BOOST_TEST(scim.at("bearer_token_last_four").is_null());
    BOOST_TEST(scim.at("bearer_token_expires_at").is_null());
    // Required members are written even when empty.
    BOOST_TEST(obj.at("organization_id").as_string() == "");
    BOOST_TEST(obj.at("custom_roles").as_array().empty());
}

BOOST_AUTO_TEST_CASE(response_shape) {
    const auto r = full_response();
    const json::value jv = json::value_from(r);
    const auto& obj = jv.as_object();
    BOOST_TEST(obj.size() == 3u);
    BOOST_TEST(obj.at("request_id").as_string() ==
               "request-id-test-b05c992f-ebdc-489d-a754-c7e70ba13141");
    BOOST_TEST(obj.at("status_code").as_int64() == 200);
    BOOST_TEST((obj.at("organization") == json::value_from(r.organization)));
    // The encoding of the sample is the sample itself.
    BOOST_TEST((jv == json::parse(stytch::test::full_body())));
}

BOOST_AUTO_TEST_CASE(records_print_as_their_compact_json) {
    // What BOOST_TEST shows when two responses differ.
    const auto r = full_response();
    std::ostringstream response, organization;
    response << r;
    organization << r.organization;
    BOOST_TEST(response.str() == json::serialize(json::value_from(r)));
    BOOST_TEST(organization.str() == json::serialize(json::value_from(r.organization)));
}

BOOST_AUTO_TEST_CASE(response_round_trip) {
    const auto r = full_response();
    BOOST_TEST((decode_ok(json::serialize(json::value_from(r))) == r));

    // With every optional absent and empty containers.
    delete_external_id_response sparse;
    sparse.request_id = "request-id-test-2";
    sparse.status_code = 200;
    sparse.organization.organization_id = "organization-test-2";
    sparse.organization.custom_roles = {{"admin", "", {}}};
    const auto decoded = decode_ok(json::serialize(json::value_from(sparse)), 299);
    BOOST_TEST((decoded == sparse));

    // Empty free-form objects survive as present-but-empty.
    sparse.organization.trusted_metadata.emplace();
    sparse.organization.allowed_oauth_tenants.emplace();
    BOOST_TEST((decode_ok(json::serialize(json::value_from(sparse))) == sparse));
}

BOOST_AUTO_TEST_CASE(encoding_keeps_the_target_resource) {
    json::monotonic_resource mr;
    const auto r = full_response();
    const json::value jv = json::value_from(r, json::storage_ptr(&mr));
    BOOST_TEST(jv.storage().get() == &mr);
    BOOST_TEST(jv.at("organization").at("trusted_metadata").storage().get() == &mr);
    BOOST_TEST((jv == json::value_from(r)));
}

BOOST_AUTO_TEST_CASE(api_error_shape_and_round_trip) {
    stytch::api_error e;
    e.status_code = 404;
    e.request_id = "request-id-test-3";
    e.error_type = "organization_not_found";
    e.error_message = "Organization could not be found.";
    e.error_url = "https://stytch.com/docs/api/errors/404#organization_not_found";
    e.error_details = json::parse(R"({"field": ["organization_id"]})");

    const json::value jv = json::value_from(e);
    const auto& obj = jv.as_object();
    BOOST_TEST(obj.size() == 6u);
    BOOST_TEST(obj.at("status_code").as_int64() == 404);
    BOOST_TEST(obj.at("request_id").as_string() == "request-id-test-3");
    BOOST_TEST(obj.at("error_type").as_string() == "organization_not_found");
    BOOST_TEST(obj.at("error_message").as_string() == "Organization could not be found.");
    BOOST_TEST(obj.at("error_url").as_string() == e.error_url);
    BOOST_TEST((obj.at("error_details") == e.error_details));

    stytch::api_error back;
    const auto ec = decode_api_error(404, json::serialize(jv), back);
    BOOST_TEST((ec == stytch::error::organization_not_found));
    BOOST_TEST((back == e));

    // Without details: null, and still a round trip.
    e.error_details = nullptr;
    const json::value jv2 = json::value_from(e);
    BOOST_TEST(jv2.at("error_details").is_null());
    BOOST_TEST_REQUIRE(!!decode_api_error(404, json::serialize(jv2), back));
    BOOST_TEST((back == e));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(json_encoding_strict)

// Boost.JSON writes a non-finite double as `Infinity` or `NaN`, which is not JSON: the encoder
// writes null instead, wherever the number sits in a free-form value.
BOOST_AUTO_TEST_CASE(non_finite_doubles_encode_as_null) {
    const double inf = std::numeric_limits<double>::infinity();
    organization o;
    o.trusted_metadata = json::object{{"seats", inf},
                                      {"list", json::array{std::nan(""), 1.5, -inf}},
                                      {"deep", json::object{{"x", json::array{inf}}}}};
    const std::string text = json::serialize(json::value_from(o));
    json::error_code ec;
    const json::value back = json::parse(text, ec);
    BOOST_TEST_REQUIRE(!ec, text);
    const auto& md = back.at("trusted_metadata");
    BOOST_TEST(md.at("seats").is_null());
    BOOST_TEST(md.at("list").at(0).is_null());
    BOOST_TEST(md.at("list").at(1).as_double() == 1.5);
    BOOST_TEST(md.at("list").at(2).is_null());
    BOOST_TEST(md.at("deep").at("x").at(0).is_null());

    stytch::api_error e;
    e.status_code = 400;
    e.error_details = -inf;
    const std::string error_text = json::serialize(json::value_from(e));
    const json::value error_back = json::parse(error_text, ec);
    BOOST_TEST_REQUIRE(!ec, error_text);
    BOOST_TEST(error_back.at("error_details").is_null());
}

BOOST_AUTO_TEST_SUITE_END()
