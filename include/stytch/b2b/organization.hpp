#pragma once

/// @file
/// Value types for the B2B organization object. All are regular: copyable, movable,
/// comparable with `==`, and own their data.

#include <boost/json/fwd.hpp>
#include <boost/json/object.hpp>

#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include <stytch/export.hpp>

namespace stytch::b2b {

/// An SSO connection that is active for the organization.
struct active_sso_connection {
    /// SSO connection id (`saml-connection-...` or `oidc-connection-...`).
    std::string connection_id{};
    /// Name shown to members.
    std::string display_name{};
    /// Identity provider, e.g. `okta`, `microsoft-entra`, `generic`.
    std::string identity_provider{};

    /// Member-wise equality.
    friend bool operator==(const active_sso_connection&, const active_sso_connection&) = default;
};

/// Implicit role assignment for members whose email domain matches.
struct email_implicit_role_assignment {
    /// Email domain, e.g. `example.com`.
    std::string domain{};
    /// Role granted to members with that domain.
    std::string role_id{};

    /// Member-wise equality.
    friend bool operator==(const email_implicit_role_assignment&,
                           const email_implicit_role_assignment&) = default;
};

/// A permission of a custom role: the actions allowed on one resource.
struct permission {
    /// The resource the actions apply to.
    std::string resource_id{};
    /// Allowed actions, e.g. `read`, `write`, `*`.
    std::vector<std::string> actions{};

    /// Member-wise equality.
    friend bool operator==(const permission&, const permission&) = default;
};

/// A role defined by the project for this organization.
struct custom_role {
    /// Role id, unique in the project.
    std::string role_id{};
    /// Human-readable description.
    std::string description{};
    /// What the role may do.
    std::vector<permission> permissions{};

    /// Member-wise equality.
    friend bool operator==(const custom_role&, const custom_role&) = default;
};

/// The organization's active SCIM connection.
struct active_scim_connection {
    /// SCIM connection id.
    std::string connection_id{};
    /// Name shown to members.
    std::string display_name{};
    /// Last four characters of the bearer token; optional.
    std::optional<std::string> bearer_token_last_four{};
    /// RFC 3339 expiry of the bearer token; optional.
    std::optional<std::string> bearer_token_expires_at{};

    /// Member-wise equality.
    friend bool operator==(const active_scim_connection&, const active_scim_connection&) = default;
};

/// A Stytch B2B organization.
///
/// Decoding is strict about required fields (absent or null is `error::missing_field`) and
/// types (`error::unexpected_type`), lenient about what the API may add or omit: unknown fields
/// are ignored and the `std::optional` members may be absent or null.
struct organization {
    /// Globally unique id, `organization-test-...` or `organization-live-...`.
    std::string organization_id{};
    /// Display name.
    std::string organization_name{};
    /// URL of the logo; may be empty.
    std::string organization_logo_url{};
    /// Unique, URL-safe name.
    std::string organization_slug{};
    /// `ALL_ALLOWED`, `RESTRICTED` or `NOT_ALLOWED`.
    std::string sso_jit_provisioning{};
    /// Connections allowed to JIT-provision (RESTRICTED).
    std::vector<std::string> sso_jit_provisioning_allowed_connections{};
    /// Active SSO connections.
    std::vector<active_sso_connection> sso_active_connections{};
    /// Domains allowed for email JIT provisioning and invites.
    std::vector<std::string> email_allowed_domains{};
    /// `RESTRICTED` or `NOT_ALLOWED`.
    std::string email_jit_provisioning{};
    /// `ALL_ALLOWED`, `RESTRICTED` or `NOT_ALLOWED`.
    std::string email_invites{};
    /// `ALL_ALLOWED` or `RESTRICTED`.
    std::string auth_methods{};
    /// Methods allowed when `auth_methods` is `RESTRICTED`.
    std::vector<std::string> allowed_auth_methods{};
    /// `OPTIONAL` or `REQUIRED_FOR_ALL`.
    std::string mfa_policy{};
    /// Roles granted by email domain.
    std::vector<email_implicit_role_assignment> rbac_email_implicit_role_assignments{};
    /// `ALL_ALLOWED` or `RESTRICTED`.
    std::string mfa_methods{};
    /// MFA methods allowed when `mfa_methods` is `RESTRICTED`.
    std::vector<std::string> allowed_mfa_methods{};
    /// `RESTRICTED` or `NOT_ALLOWED`.
    std::string oauth_tenant_jit_provisioning{};
    /// Email domains the organization has claimed.
    std::vector<std::string> claimed_email_domains{};
    /// `ALL_ALLOWED`, `RESTRICTED` or `NOT_ALLOWED`.
    std::string first_party_connected_apps_allowed_type{};
    /// First-party connected apps allowed (RESTRICTED).
    std::vector<std::string> allowed_first_party_connected_apps{};
    /// `ALL_ALLOWED`, `RESTRICTED` or `NOT_ALLOWED`.
    std::string third_party_connected_apps_allowed_type{};
    /// Third-party connected apps allowed (RESTRICTED).
    std::vector<std::string> allowed_third_party_connected_apps{};
    /// Roles defined for this organization.
    std::vector<custom_role> custom_roles{};
    /// Free-form metadata set by the backend; optional.
    std::optional<boost::json::object> trusted_metadata{};
    /// RFC 3339 creation time; optional.
    std::optional<std::string> created_at{};
    /// RFC 3339 time of the last update; optional.
    std::optional<std::string> updated_at{};
    /// The external id; none after DeleteExternalId.
    std::optional<std::string> organization_external_id{};
    /// Default SSO connection; optional.
    std::optional<std::string> sso_default_connection_id{};
    /// Active SCIM connection; optional.
    std::optional<active_scim_connection> scim_active_connection{};
    /// Allowed OAuth tenants by provider; optional.
    std::optional<boost::json::object> allowed_oauth_tenants{};

    /// Member-wise equality.
    friend bool operator==(const organization&, const organization&) = default;
};

/// JSON encoding with the API's field names (for `boost::json::value_from`); absent optionals
/// are written as null.
STYTCH_EXPORT void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv,
                              const organization& o);

/// Prints the organization as its compact JSON encoding (see tag_invoke above).
STYTCH_EXPORT std::ostream& operator<<(std::ostream& os, const organization& o);

}  // namespace stytch::b2b
