#pragma once

// The members of a B2B organization object, for the tests that check a decoded or served
// organization member by member (the typed decode, the mock's sample seed).

#include <string>
#include <vector>

namespace stytch::test {

/// The required members of an organization, in table order.
inline const std::vector<std::string> required_org_fields = {
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

/// The optional members of an organization, in table order.
inline const std::vector<std::string> optional_org_fields = {
    "trusted_metadata",
    "created_at",
    "updated_at",
    "organization_external_id",
    "sso_default_connection_id",
    "scim_active_connection",
    "allowed_oauth_tenants",
};

}  // namespace stytch::test
