#include "unit/codec/decode_test_support.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "codec/response_decoder.hpp"

namespace stytch::test {

namespace json = boost::json;

// The organization of data/organization_full.json, built by hand.
b2b::organization expected_full_organization() {
    b2b::organization o;
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
    o.scim_active_connection =
        b2b::active_scim_connection{"scim-connection-test-0f1e2d3c-4b5a-4969-8877-665544332211",
                                    "Okta SCIM", "a1B2", "2025-03-05T10:12:42Z"};
    o.allowed_oauth_tenants =
        json::parse(R"({"slack": ["T0123456789"], "hubspot": ["24680"]})").as_object();
    return o;
}

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

decoded decode(std::string_view body, int http_status) {
    decoded d;
    d.ec = detail::decode_delete_external_id(http_status, body, d.response,
                                             detail::default_max_json_depth, &d.path);
    return d;
}

decoded decode(const json::value& dom, int http_status) {
    return decode(json::serialize(dom), http_status);
}

}  // namespace stytch::test
