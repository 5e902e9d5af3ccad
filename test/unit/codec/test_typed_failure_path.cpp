// A typed decode that fails says why (missing_field, unexpected_type) and where: the JSON path of
// the first failure in table order (typed_failure_path).

#include <boost/json/serialize.hpp>
#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

#include <stytch/error.hpp>

#include "codec/response_decoder.hpp"
#include "unit/codec/decode_test_support.hpp"
#include "unit/test_support.hpp"

namespace json = boost::json;
using stytch::error;
using stytch::detail::decode_delete_external_id;
using namespace stytch::test;

BOOST_AUTO_TEST_SUITE(response_decoding)

BOOST_AUTO_TEST_CASE(every_required_organization_field) {
    BOOST_TEST(required_org_fields.size() + optional_org_fields.size() == 30u);
    for (const auto& name : required_org_fields) {
        BOOST_TEST_CONTEXT(name) {
            auto dom = full_dom();
            const std::string path = "organization." + name;
            BOOST_TEST_REQUIRE(org_of(dom).erase(name) == 1u);
            BOOST_TEST((decode(dom).ec == error::missing_field));
            BOOST_TEST(decode(dom).path == path);

            dom = full_dom();
            org_of(dom)[name] = nullptr;
            BOOST_TEST((decode(dom).ec == error::missing_field));
            BOOST_TEST(decode(dom).path == path);

            dom = full_dom();
            org_of(dom)[name] = wrong_type_for(org_of(dom)[name]);
            BOOST_TEST((decode(dom).ec == error::unexpected_type));
            BOOST_TEST(decode(dom).path == path);
        }
    }
}

BOOST_AUTO_TEST_CASE(every_optional_organization_field_checks_its_type) {
    for (const auto& name : optional_org_fields) {
        BOOST_TEST_CONTEXT(name) {
            auto dom = full_dom();
            org_of(dom)[name] = wrong_type_for(org_of(dom)[name]);
            BOOST_TEST((decode(dom).ec == error::unexpected_type));
            BOOST_TEST(decode(dom).path == "organization." + name);
        }
    }
}

BOOST_AUTO_TEST_CASE(nested_required_fields) {
    // Path from the organization to a nested object, and its required members.
    struct nested_case {
        std::vector<json::string_view> path;  // keys and (as strings) indices
        std::vector<std::string> required;
    };
    const nested_case cases[] = {
        {{"sso_active_connections", "0"}, {"connection_id", "display_name", "identity_provider"}},
        {{"rbac_email_implicit_role_assignments", "1"}, {"domain", "role_id"}},
        {{"custom_roles", "0"}, {"role_id", "description", "permissions"}},
        {{"custom_roles", "0", "permissions", "1"}, {"resource_id", "actions"}},
        {{"scim_active_connection"}, {"connection_id", "display_name"}},
    };
    auto walk = [](json::value& dom, const std::vector<json::string_view>& path) -> json::object& {
        json::value* v = &dom.as_object()["organization"];
        for (const auto step : path) {
            if (v->is_array()) {
                v = &v->as_array().at(std::stoul(std::string(step)));
            } else {
                v = &v->as_object().at(step);
            }
        }
        return v->as_object();
    };
    // "organization.custom_roles[0].permissions[1]." and the like.
    auto prefix = [](const std::vector<json::string_view>& path) {
        std::string out = "organization";
        for (const auto step : path) {
            const bool index = !step.empty() && step.front() >= '0' && step.front() <= '9';
            out += index ? "[" + std::string(step) + "]" : "." + std::string(step);
        }
        return out + ".";
    };
    for (const auto& c : cases) {
        for (const auto& name : c.required) {
            BOOST_TEST_CONTEXT(c.path.front() << " " << name) {
                const std::string path = prefix(c.path) + name;
                auto dom = full_dom();
                BOOST_TEST_REQUIRE(walk(dom, c.path).erase(name) == 1u);
                BOOST_TEST((decode(dom).ec == error::missing_field));
                BOOST_TEST(decode(dom).path == path);

                dom = full_dom();
                walk(dom, c.path)[name] = nullptr;
                BOOST_TEST((decode(dom).ec == error::missing_field));
                BOOST_TEST(decode(dom).path == path);

                dom = full_dom();
                auto& obj = walk(dom, c.path);
                obj[name] = wrong_type_for(obj[name]);
                BOOST_TEST((decode(dom).ec == error::unexpected_type));
                BOOST_TEST(decode(dom).path == path);
            }
        }
    }
    // bearer_token_* have their type checked too.
    auto dom = full_dom();
    org_of(dom)["scim_active_connection"].as_object()["bearer_token_last_four"] = 1234;
    BOOST_TEST((decode(dom).ec == error::unexpected_type));
    BOOST_TEST(decode(dom).path == "organization.scim_active_connection.bearer_token_last_four");
}

BOOST_AUTO_TEST_CASE(the_path_names_the_first_failure_in_decoding_order) {
    // Three custom roles; the third's second permission lacks resource_id, and a later field
    // of the organization fails too: the first in table order is reported.
    auto dom = full_dom();
    auto& roles = org_of(dom)["custom_roles"].as_array();
    while (roles.size() < 3) {
        roles.push_back(roles[0]);
    }
    auto& permissions = roles[2].as_object()["permissions"].as_array();
    permissions.push_back(permissions[0]);
    permissions[1].as_object().erase("resource_id");
    org_of(dom)["updated_at"] = 5;
    BOOST_TEST((decode(dom).ec == error::missing_field));
    BOOST_TEST(decode(dom).path == "organization.custom_roles[2].permissions[1].resource_id");

    // An earlier field's failure wins, even when it comes later in the body.
    json::object reordered;
    for (const auto& member : org_of(dom)) {
        if (member.key() != "organization_name") {
            reordered[member.key()] = member.value();
        }
    }
    reordered["organization_name"] = 1;
    dom.as_object()["organization"] = reordered;
    BOOST_TEST((decode(dom).ec == error::unexpected_type));
    BOOST_TEST(decode(dom).path == "organization.organization_name");

    // Within an array, the first failing element.
    dom = full_dom();
    auto& actions = org_of(dom)["custom_roles"]
                        .as_array()[0]
                        .as_object()["permissions"]
                        .as_array()[0]
                        .as_object()["actions"]
                        .as_array();
    const std::size_t first_bad = actions.size();
    actions.push_back(1);
    actions.push_back("fine");
    actions.push_back(nullptr);
    BOOST_TEST((decode(dom).ec == error::unexpected_type));
    BOOST_TEST(decode(dom).path == "organization.custom_roles[0].permissions[0].actions[" +
                                       std::to_string(first_bad) + "]");

    // A success leaves the path alone and is the empty error_code, not a stytch code of 0.
    decoded ok;
    ok.path = "untouched";
    ok.ec = decode_delete_external_id(200, full_body(), ok.response,
                                      stytch::detail::default_max_json_depth, &ok.path);
    BOOST_TEST(!ok.ec);
    BOOST_TEST((ok.ec == boost::system::error_code{}));
    BOOST_TEST(ok.path == "untouched");
}

BOOST_AUTO_TEST_CASE(array_elements_must_have_the_right_type) {
    const std::vector<std::string> string_arrays = {"sso_jit_provisioning_allowed_connections",
                                                    "email_allowed_domains",
                                                    "allowed_auth_methods",
                                                    "allowed_mfa_methods",
                                                    "claimed_email_domains",
                                                    "allowed_first_party_connected_apps",
                                                    "allowed_third_party_connected_apps"};
    // The path of the element pushed last: "organization.<name>[<index>]".
    auto last_element = [](json::value& dom, const std::string& name) {
        return "organization." + name + "[" +
               std::to_string(org_of(dom)[name].as_array().size() - 1) + "]";
    };
    for (const auto& name : string_arrays) {
        for (const json::value& bad : {json::value(7), json::value(nullptr),
                                       json::value(json::array{"x"}), json::value(false)}) {
            BOOST_TEST_CONTEXT(name << " with " << json::serialize(bad)) {
                auto dom = full_dom();
                org_of(dom)[name].as_array().push_back(bad);
                BOOST_TEST((decode(dom).ec == error::unexpected_type));
                BOOST_TEST(decode(dom).path == last_element(dom, name));
            }
        }
    }
    for (const std::string name :
         {"sso_active_connections", "rbac_email_implicit_role_assignments", "custom_roles"}) {
        for (const json::value& bad :
             {json::value("x"), json::value(nullptr), json::value(1), json::value(json::array{})}) {
            BOOST_TEST_CONTEXT(name << " with " << json::serialize(bad)) {
                auto dom = full_dom();
                org_of(dom)[name].as_array().push_back(bad);
                BOOST_TEST((decode(dom).ec == error::unexpected_type));
                BOOST_TEST(decode(dom).path == last_element(dom, name));
            }
        }
    }
    auto dom = full_dom();
    org_of(dom)["custom_roles"]
        .as_array()[0]
        .as_object()["permissions"]
        .as_array()[0]
        .as_object()["actions"]
        .as_array()
        .push_back(3);
    BOOST_TEST((decode(dom).ec == error::unexpected_type));
}

BOOST_AUTO_TEST_CASE(response_level_fields) {
    auto dom = full_dom();
    dom.as_object().erase("request_id");
    BOOST_TEST((decode(dom).ec == error::missing_field));
    dom.as_object()["request_id"] = nullptr;
    BOOST_TEST((decode(dom).ec == error::missing_field));
    dom.as_object()["request_id"] = 17;
    BOOST_TEST((decode(dom).ec == error::unexpected_type));

    BOOST_TEST(decode(dom).path == "request_id");

    dom = full_dom();
    dom.as_object()["status_code"] = "200";
    BOOST_TEST((decode(dom).ec == error::unexpected_type));
    BOOST_TEST(decode(dom).path == "status_code");

    dom = full_dom();
    dom.as_object().erase("organization");
    BOOST_TEST((decode(dom).ec == error::missing_field));
    BOOST_TEST(decode(dom).path == "organization");
    dom.as_object()["organization"] = nullptr;
    BOOST_TEST((decode(dom).ec == error::missing_field));
    dom.as_object()["organization"] = "organization-test-1";
    BOOST_TEST((decode(dom).ec == error::unexpected_type));
    dom.as_object()["organization"] = json::array{};
    BOOST_TEST((decode(dom).ec == error::unexpected_type));
    dom.as_object()["organization"] = json::object{};
    BOOST_TEST((decode(dom).ec == error::missing_field));
    BOOST_TEST(decode(dom).path == "organization.organization_id");
    // A missing request_id wins over everything, and is the path then.
    dom.as_object().erase("request_id");
    BOOST_TEST(decode(dom).path == "request_id");
}

BOOST_AUTO_TEST_SUITE_END()
