#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/test/unit_test.hpp>

#include <string>
#include <vector>

#include <stytch/b2b/organizations.hpp>
#include <stytch/error.hpp>

#include "codec/response_decoder.hpp"
#include "support/json_text.hpp"
#include "unit/test_support.hpp"

namespace json = boost::json;
using stytch::error;
using stytch::b2b::delete_external_id_response;
using stytch::b2b::organization;
using stytch::detail::decode_api_error;
using stytch::detail::decode_delete_external_id;
using stytch::detail::error_code_for;
using stytch::test::full_body;
using stytch::test::full_dom;
using stytch::test::nested_objects;
using stytch::test::org_of;

namespace {

// The organization of data/organization_full.json, built by hand.
organization expected_full_organization() {
    organization o;
    o.organization_id = "organization-test-07971b06-ac8b-4cdb-9c15-63b17e653931";
    o.organization_name = "Example Org Inc.";
    o.organization_logo_url = "https://example.com/logo.png";
    o.organization_slug = "example-org";
    o.sso_jit_provisioning = "RESTRICTED";
    o.sso_jit_provisioning_allowed_connections = {
        "saml-connection-test-51861cbc-d3b9-428b-9761-227f5fb12be9"};
    o.sso_active_connections = {
        {"saml-connection-test-51861cbc-d3b9-428b-9761-227f5fb12be9", "Okta SAML", "okta"},
        {"oidc-connection-test-2a1d3b2c-4e5f-4a6b-8c7d-9e0f1a2b3c4d", "Microsoft Entra",
         "microsoft-entra"},
    };
    o.email_allowed_domains = {"example.com", "example.org"};
    o.email_jit_provisioning = "RESTRICTED";
    o.email_invites = "ALL_ALLOWED";
    o.auth_methods = "RESTRICTED";
    o.allowed_auth_methods = {"sso", "magic_link", "password"};
    o.mfa_policy = "REQUIRED_FOR_ALL";
    o.rbac_email_implicit_role_assignments = {{"example.com", "editor"}, {"example.org", "viewer"}};
    o.mfa_methods = "RESTRICTED";
    o.allowed_mfa_methods = {"sms_otp", "totp"};
    o.oauth_tenant_jit_provisioning = "RESTRICTED";
    o.claimed_email_domains = {"example.com"};
    o.first_party_connected_apps_allowed_type = "RESTRICTED";
    o.allowed_first_party_connected_apps = {
        "connected-app-test-6b1d3c5e-0f2a-4b7c-9d8e-1a2b3c4d5e6f"};
    o.third_party_connected_apps_allowed_type = "NOT_ALLOWED";
    o.allowed_third_party_connected_apps = {};
    o.custom_roles = {
        {"editor",
         "Can read and edit documents",
         {{"documents", {"read", "write"}}, {"images", {"*"}}}},
        {"viewer", "Read-only access", {}},
    };
    o.trusted_metadata = json::parse(R"({
        "billing": {"plan": "enterprise", "seats": 250, "annual": true},
        "region": "eu-west-1",
        "tags": ["beta", null, 3.5]})")
                             .as_object();
    o.created_at = "2024-03-05T10:12:42Z";
    o.updated_at = "2024-06-01T08:00:00Z";
    o.organization_external_id = "crm-4711";
    o.sso_default_connection_id = "saml-connection-test-51861cbc-d3b9-428b-9761-227f5fb12be9";
    o.scim_active_connection = stytch::b2b::active_scim_connection{
        "scim-connection-test-0f1e2d3c-4b5a-4969-8877-665544332211", "Okta SCIM", "a1B2",
        "2025-03-05T10:12:42Z"};
    o.allowed_oauth_tenants =
        json::parse(R"({"slack": ["T0123456789"], "hubspot": ["24680"]})").as_object();
    return o;
}

const std::vector<std::string> required_org_fields = {
    "organization_id",
    "organization_name",
    "organization_logo_url",
    "organization_slug",
    "sso_jit_provisioning",
    "sso_jit_provisioning_allowed_connections",
    "sso_active_connections",
    "email_allowed_domains",
    "email_jit_provisioning",
    "email_invites",
    "auth_methods",
    "allowed_auth_methods",
    "mfa_policy",
    "rbac_email_implicit_role_assignments",
    "mfa_methods",
    "allowed_mfa_methods",
    "oauth_tenant_jit_provisioning",
    "claimed_email_domains",
    "first_party_connected_apps_allowed_type",
    "allowed_first_party_connected_apps",
    "third_party_connected_apps_allowed_type",
    "allowed_third_party_connected_apps",
    "custom_roles",
};

const std::vector<std::string> optional_org_fields = {
    "trusted_metadata",
    "created_at",
    "updated_at",
    "organization_external_id",
    "sso_default_connection_id",
    "scim_active_connection",
    "allowed_oauth_tenants",
};

// A value of a different JSON kind than `v`.
json::value wrong_type_for(const json::value& v) {
    switch (v.kind()) {
        case json::kind::string:
            return 42;
        case json::kind::array:
            return json::object{{"a", 1}};
        case json::kind::object:
            return json::array{"x"};
        default:
            return "not the right kind";
    }
}

struct decoded {
    boost::system::error_code ec;
    delete_external_id_response response;
    std::string path;  // where a missing_field or unexpected_type lies
};

decoded decode(std::string_view body, int http_status = 200) {
    decoded d;
    d.ec = decode_delete_external_id(http_status, body, d.response,
                                     stytch::detail::default_max_json_depth, &d.path);
    return d;
}

decoded decode(const json::value& dom, int http_status = 200) {
    return decode(json::serialize(dom), http_status);
}

// Adds unknown members to every object of `v`, except inside the free-form objects
// (trusted_metadata, allowed_oauth_tenants), which are copied verbatim.
void add_unknown_fields(json::value& v) {
    if (auto* a = v.if_array()) {
        for (auto& item : *a) {
            add_unknown_fields(item);
        }
        return;
    }
    auto* o = v.if_object();
    if (o == nullptr) {
        return;
    }
    for (auto& [key, member] : *o) {
        if (key != "trusted_metadata" && key != "allowed_oauth_tenants") {
            add_unknown_fields(member);
        }
    }
    o->emplace("zz_future_string", "x");
    o->emplace("zz_future_object", json::object{{"nested", json::array{1, nullptr, "y"}}});
    o->emplace("zz_future_null", nullptr);
    o->emplace("zz_future_number", -3.25);
}

}  // namespace

BOOST_AUTO_TEST_SUITE(response_decoding)

BOOST_AUTO_TEST_CASE(full_payload_every_field) {
    const auto d = decode(full_body(), 200);
    BOOST_TEST_REQUIRE(!d.ec, d.ec.message());
    BOOST_TEST(d.response.request_id == "request-id-test-b05c992f-ebdc-489d-a754-c7e70ba13141");
    BOOST_TEST(d.response.status_code == 200);

    const auto& o = d.response.organization;
    const auto e = expected_full_organization();
    BOOST_TEST(o.organization_id == e.organization_id);
    BOOST_TEST(o.organization_name == e.organization_name);
    BOOST_TEST(o.organization_logo_url == e.organization_logo_url);
    BOOST_TEST(o.organization_slug == e.organization_slug);
    BOOST_TEST(o.sso_jit_provisioning == e.sso_jit_provisioning);
    BOOST_TEST(
        o.sso_jit_provisioning_allowed_connections == e.sso_jit_provisioning_allowed_connections,
        boost::test_tools::per_element());
    BOOST_TEST_REQUIRE(o.sso_active_connections.size() == 2u);
    BOOST_TEST(o.sso_active_connections[1].connection_id ==
               "oidc-connection-test-2a1d3b2c-4e5f-4a6b-8c7d-9e0f1a2b3c4d");
    BOOST_TEST(o.sso_active_connections[1].display_name == "Microsoft Entra");
    BOOST_TEST(o.sso_active_connections[1].identity_provider == "microsoft-entra");
    BOOST_TEST((o.sso_active_connections == e.sso_active_connections));
    BOOST_TEST(o.email_allowed_domains == e.email_allowed_domains,
               boost::test_tools::per_element());
    BOOST_TEST(o.email_jit_provisioning == e.email_jit_provisioning);
    BOOST_TEST(o.email_invites == e.email_invites);
    BOOST_TEST(o.auth_methods == e.auth_methods);
    BOOST_TEST(o.allowed_auth_methods == e.allowed_auth_methods, boost::test_tools::per_element());
    BOOST_TEST(o.mfa_policy == e.mfa_policy);
    BOOST_TEST_REQUIRE(o.rbac_email_implicit_role_assignments.size() == 2u);
    BOOST_TEST(o.rbac_email_implicit_role_assignments[1].domain == "example.org");
    BOOST_TEST(o.rbac_email_implicit_role_assignments[1].role_id == "viewer");
    BOOST_TEST(o.mfa_methods == e.mfa_methods);
    BOOST_TEST(o.allowed_mfa_methods == e.allowed_mfa_methods, boost::test_tools::per_element());
    BOOST_TEST(o.oauth_tenant_jit_provisioning == e.oauth_tenant_jit_provisioning);
    BOOST_TEST(o.claimed_email_domains == e.claimed_email_domains,
               boost::test_tools::per_element());
    BOOST_TEST(o.first_party_connected_apps_allowed_type ==
               e.first_party_connected_apps_allowed_type);
    BOOST_TEST(o.allowed_first_party_connected_apps == e.allowed_first_party_connected_apps,
               boost::test_tools::per_element());
    BOOST_TEST(o.third_party_connected_apps_allowed_type == "NOT_ALLOWED");
    BOOST_TEST(o.allowed_third_party_connected_apps.empty());
    BOOST_TEST_REQUIRE(o.custom_roles.size() == 2u);
    BOOST_TEST(o.custom_roles[0].role_id == "editor");
    BOOST_TEST(o.custom_roles[0].description == "Can read and edit documents");
    BOOST_TEST_REQUIRE(o.custom_roles[0].permissions.size() == 2u);
    BOOST_TEST(o.custom_roles[0].permissions[0].resource_id == "documents");
    BOOST_TEST(
        o.custom_roles[0].permissions[0].actions == (std::vector<std::string>{"read", "write"}),
        boost::test_tools::per_element());
    BOOST_TEST(o.custom_roles[1].permissions.empty());
    BOOST_TEST((o.custom_roles == e.custom_roles));
    BOOST_TEST_REQUIRE(o.trusted_metadata.has_value());
    BOOST_TEST(json::serialize(*o.trusted_metadata) == json::serialize(*e.trusted_metadata));
    BOOST_TEST(o.trusted_metadata->at("billing").at("seats").to_number<int>() == 250);
    BOOST_TEST(o.created_at.value() == "2024-03-05T10:12:42Z");
    BOOST_TEST(o.updated_at.value() == "2024-06-01T08:00:00Z");
    BOOST_TEST(o.organization_external_id.value() == "crm-4711");
    BOOST_TEST(o.sso_default_connection_id.value() == *e.sso_default_connection_id);
    BOOST_TEST_REQUIRE(o.scim_active_connection.has_value());
    BOOST_TEST(o.scim_active_connection->connection_id ==
               "scim-connection-test-0f1e2d3c-4b5a-4969-8877-665544332211");
    BOOST_TEST(o.scim_active_connection->display_name == "Okta SCIM");
    BOOST_TEST(o.scim_active_connection->bearer_token_last_four.value() == "a1B2");
    BOOST_TEST(o.scim_active_connection->bearer_token_expires_at.value() == "2025-03-05T10:12:42Z");
    BOOST_TEST_REQUIRE(o.allowed_oauth_tenants.has_value());
    BOOST_TEST(o.allowed_oauth_tenants->at("slack").at(0).as_string() == "T0123456789");
    BOOST_TEST((o.allowed_oauth_tenants == e.allowed_oauth_tenants));

    // And everything at once, so no member is forgotten above.
    BOOST_TEST((o == e));
}

BOOST_AUTO_TEST_CASE(free_form_objects_use_the_default_resource) {
    const auto d = decode(full_body());
    BOOST_TEST_REQUIRE(!d.ec);
    const json::storage_ptr default_sp;
    BOOST_TEST(d.response.organization.trusted_metadata->storage().get() == default_sp.get());
    BOOST_TEST(d.response.organization.allowed_oauth_tenants->storage().get() == default_sp.get());
    // Nested values too (the decoder's parse buffer is long gone).
    BOOST_TEST(d.response.organization.trusted_metadata->at("billing").storage().get() ==
               default_sp.get());
    auto copy = d.response;
    BOOST_TEST((copy == d.response));
}

BOOST_AUTO_TEST_CASE(status_code_from_body_or_http) {
    BOOST_TEST(decode(full_body(), 299).response.status_code == 200);
    auto dom = full_dom();
    dom.as_object().erase("status_code");
    BOOST_TEST(decode(dom, 201).response.status_code == 201);
    dom.as_object()["status_code"] = nullptr;
    BOOST_TEST(decode(dom, 202).response.status_code == 202);
    dom.as_object()["status_code"] = 203u;
    BOOST_TEST(decode(dom, 200).response.status_code == 203);
    for (const json::value& bad :
         {json::value("200"), json::value(200.0), json::value(true), json::value(json::array{200}),
          json::value(std::int64_t{1} << 40), json::value(std::uint64_t{1} << 63)}) {
        dom.as_object()["status_code"] = bad;
        BOOST_TEST_CONTEXT(json::serialize(bad)) {
            BOOST_TEST((decode(dom).ec == error::unexpected_type));
        }
    }
}

BOOST_AUTO_TEST_CASE(nulls_for_optionals) {
    auto dom = full_dom();
    auto& org = org_of(dom);
    for (const auto& name : optional_org_fields) {
        org[name] = nullptr;
    }
    const auto d = decode(dom);
    BOOST_TEST_REQUIRE(!d.ec, d.ec.message());
    const auto& o = d.response.organization;
    BOOST_TEST(!o.trusted_metadata.has_value());
    BOOST_TEST(!o.created_at.has_value());
    BOOST_TEST(!o.updated_at.has_value());
    BOOST_TEST(!o.organization_external_id.has_value());
    BOOST_TEST(!o.sso_default_connection_id.has_value());
    BOOST_TEST(!o.scim_active_connection.has_value());
    BOOST_TEST(!o.allowed_oauth_tenants.has_value());
    // The required members are still there.
    BOOST_TEST(o.organization_id == expected_full_organization().organization_id);
    BOOST_TEST(o.custom_roles.size() == 2u);
}

BOOST_AUTO_TEST_CASE(absent_optionals) {
    auto dom = full_dom();
    auto& org = org_of(dom);
    for (const auto& name : optional_org_fields) {
        org.erase(name);
    }
    auto expected = expected_full_organization();
    expected.trusted_metadata.reset();
    expected.created_at.reset();
    expected.updated_at.reset();
    expected.organization_external_id.reset();
    expected.sso_default_connection_id.reset();
    expected.scim_active_connection.reset();
    expected.allowed_oauth_tenants.reset();
    const auto d = decode(dom);
    BOOST_TEST_REQUIRE(!d.ec, d.ec.message());
    BOOST_TEST((d.response.organization == expected));
}

BOOST_AUTO_TEST_CASE(optional_members_of_scim_connection) {
    for (const bool erase : {true, false}) {
        auto dom = full_dom();
        auto& scim = org_of(dom)["scim_active_connection"].as_object();
        if (erase) {
            scim.erase("bearer_token_last_four");
            scim.erase("bearer_token_expires_at");
        } else {
            scim["bearer_token_last_four"] = nullptr;
            scim["bearer_token_expires_at"] = nullptr;
        }
        const auto d = decode(dom);
        BOOST_TEST_REQUIRE(!d.ec, d.ec.message());
        const auto& s = d.response.organization.scim_active_connection;
        BOOST_TEST_REQUIRE(s.has_value());
        BOOST_TEST(s->display_name == "Okta SCIM");
        BOOST_TEST(!s->bearer_token_last_four.has_value());
        BOOST_TEST(!s->bearer_token_expires_at.has_value());
    }
}

BOOST_AUTO_TEST_CASE(decoding_into_a_used_response_resets_it) {
    delete_external_id_response out;
    BOOST_TEST_REQUIRE(!decode_delete_external_id(200, full_body(), out));
    auto dom = full_dom();
    auto& org = org_of(dom);
    org["email_allowed_domains"] = json::array{"only.example"};
    org["custom_roles"] = json::array{};
    for (const auto& name : optional_org_fields) {
        org.erase(name);
    }
    BOOST_TEST_REQUIRE(!decode_delete_external_id(200, json::serialize(dom), out));
    BOOST_TEST(out.organization.email_allowed_domains == (std::vector<std::string>{"only.example"}),
               boost::test_tools::per_element());
    BOOST_TEST(out.organization.custom_roles.empty());
    BOOST_TEST(!out.organization.trusted_metadata.has_value());
    BOOST_TEST(!out.organization.scim_active_connection.has_value());
}

BOOST_AUTO_TEST_CASE(unknown_fields_at_every_level_are_ignored) {
    auto dom = full_dom();
    add_unknown_fields(dom);
    // Make sure the helper reached the deepest objects.
    BOOST_TEST_REQUIRE(org_of(dom)["custom_roles"]
                           .as_array()[0]
                           .as_object()["permissions"]
                           .as_array()[0]
                           .as_object()
                           .contains("zz_future_object"));
    const auto d = decode(dom);
    BOOST_TEST_REQUIRE(!d.ec, d.ec.message());
    BOOST_TEST((d.response.organization == expected_full_organization()));
    BOOST_TEST(d.response.request_id == "request-id-test-b05c992f-ebdc-489d-a754-c7e70ba13141");
}

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

BOOST_AUTO_TEST_CASE(large_body_beyond_the_stack_buffer) {
    auto dom = full_dom();
    auto& domains = org_of(dom)["email_allowed_domains"].as_array();
    std::vector<std::string> expected = {"example.com", "example.org"};
    for (int i = 0; i < 2000; ++i) {
        expected.push_back("subsidiary-" + std::to_string(i) + ".example.com");
        domains.push_back(json::string(expected.back()));
    }
    auto& meta = org_of(dom)["trusted_metadata"].as_object();
    meta["blob"] = std::string(100000, 'z');
    const auto d = decode(dom);
    BOOST_TEST_REQUIRE(!d.ec, d.ec.message());
    BOOST_TEST(d.response.organization.email_allowed_domains == expected,
               boost::test_tools::per_element());
    BOOST_TEST(d.response.organization.trusted_metadata->at("blob").as_string().size() == 100000u);
}

BOOST_AUTO_TEST_CASE(deeply_nested_json_is_refused_without_crashing) {
    std::string deep = "{\"request_id\":\"r\",\"x\":";
    deep += std::string(10000, '[');
    deep += std::string(10000, ']');
    deep += "}";
    BOOST_TEST((decode(std::string_view(deep)).ec == error::json_too_deep));
}

BOOST_AUTO_TEST_SUITE_END()

// ---------------------------------------------------------------------------------------------

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
