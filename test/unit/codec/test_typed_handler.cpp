// The typed decode stores every member of a success answer (typed_handler, over the tables of
// typed_tables): values, optional members absent or null, free-form objects, unknown members.

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/test/unit_test.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include <stytch/b2b/organizations.hpp>
#include <stytch/error.hpp>

#include "codec/response_decoder.hpp"
#include "unit/codec/decode_test_support.hpp"
#include "unit/test_support.hpp"

namespace json = boost::json;
using stytch::error;
using stytch::b2b::delete_external_id_response;
using stytch::detail::decode_delete_external_id;
using namespace stytch::test;

namespace {

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

BOOST_AUTO_TEST_CASE(string_arrays_are_stored_at_their_exact_size) {
    auto dom = full_dom();
    org_of(dom)["email_allowed_domains"] =
        json::array{"a.example", "b.example", "c.example", "d.example", "e.example"};
    const auto d = decode(dom);
    BOOST_TEST_REQUIRE(!d.ec, d.ec.message());
    const auto& domains = d.response.organization.email_allowed_domains;
    BOOST_TEST(domains.size() == 5u);
    BOOST_TEST(domains.capacity() == 5u);  // one allocation, not the growth 1, 2, 4, 8
    BOOST_TEST(domains[4] == "e.example");
}

BOOST_AUTO_TEST_CASE(a_decode_stopped_inside_a_string_array_leaves_nothing_behind) {
    // Too deep inside a string array: the parse stops while the array is open.
    auto dom = full_dom();
    org_of(dom)["email_allowed_domains"] =
        json::array{"left.over", json::array{json::array{json::array{"x"}}}};
    delete_external_id_response stopped;
    BOOST_TEST_REQUIRE(
        (decode_delete_external_id(200, json::serialize(dom), stopped, 2) == error::json_too_deep));
    const auto d = decode(full_dom());
    BOOST_TEST_REQUIRE(!d.ec, d.ec.message());
    BOOST_TEST((d.response.organization == expected_full_organization()));
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

BOOST_AUTO_TEST_SUITE_END()
