#pragma once

/// @file
/// Value types for the B2B organization object. All are regular: copyable, movable,
/// comparable with `==`, and own their data.

#include <boost/json/fwd.hpp>
#include <boost/json/object.hpp>

#include <optional>
#include <string>
#include <vector>

namespace stytch::b2b {

/// An SSO connection that is active for the organization.
struct active_sso_connection {
    std::string connection_id;
    std::string display_name;
    std::string identity_provider;

    friend bool operator==(const active_sso_connection&, const active_sso_connection&) = default;
};

/// Implicit role assignment for members whose email domain matches.
struct email_implicit_role_assignment {
    std::string domain;
    std::string role_id;

    friend bool operator==(const email_implicit_role_assignment&,
                           const email_implicit_role_assignment&) = default;
};

/// A permission of a custom role: the actions allowed on one resource.
struct permission {
    std::string resource_id;
    std::vector<std::string> actions;

    friend bool operator==(const permission&, const permission&) = default;
};

/// A role defined by the project for this organization.
struct custom_role {
    std::string role_id;
    std::string description;
    std::vector<permission> permissions;

    friend bool operator==(const custom_role&, const custom_role&) = default;
};

/// The organization's active SCIM connection.
struct active_scim_connection {
    std::string connection_id;
    std::string display_name;
    std::optional<std::string> bearer_token_last_four;
    std::optional<std::string> bearer_token_expires_at;

    friend bool operator==(const active_scim_connection&, const active_scim_connection&) = default;
};

/// A Stytch B2B organization.
///
/// Decoding is strict about required fields (absent or null is `error::missing_field`) and
/// types (`error::unexpected_type`), lenient about what the API may add or omit: unknown fields
/// are ignored and the `std::optional` members may be absent or null.
struct organization {
    std::string organization_id;
    std::string organization_name;
    std::string organization_logo_url;
    std::string organization_slug;
    std::string sso_jit_provisioning;
    std::vector<std::string> sso_jit_provisioning_allowed_connections;
    std::vector<active_sso_connection> sso_active_connections;
    std::vector<std::string> email_allowed_domains;
    std::string email_jit_provisioning;
    std::string email_invites;
    std::string auth_methods;
    std::vector<std::string> allowed_auth_methods;
    std::string mfa_policy;
    std::vector<email_implicit_role_assignment> rbac_email_implicit_role_assignments;
    std::string mfa_methods;
    std::vector<std::string> allowed_mfa_methods;
    std::string oauth_tenant_jit_provisioning;
    std::vector<std::string> claimed_email_domains;
    std::string first_party_connected_apps_allowed_type;
    std::vector<std::string> allowed_first_party_connected_apps;
    std::string third_party_connected_apps_allowed_type;
    std::vector<std::string> allowed_third_party_connected_apps;
    std::vector<custom_role> custom_roles;
    std::optional<boost::json::object> trusted_metadata;
    std::optional<std::string> created_at;
    std::optional<std::string> updated_at;
    std::optional<std::string> organization_external_id;
    std::optional<std::string> sso_default_connection_id;
    std::optional<active_scim_connection> scim_active_connection;
    std::optional<boost::json::object> allowed_oauth_tenants;

    friend bool operator==(const organization&, const organization&) = default;
};

/// JSON encoding with the API's field names (for `boost::json::value_from`); absent optionals
/// are written as null.
void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv, const organization& o);

}  // namespace stytch::b2b
