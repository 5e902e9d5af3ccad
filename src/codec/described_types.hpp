#pragma once

// The field tables of the value types, in one place: Boost.Describe member lists, in the order
// of the structs and with the API's field names (each member is named as its JSON field).
// The decoder and the encoder walk these lists; a `std::optional` member is optional on the
// wire, every other member is required.

#include <boost/describe/class.hpp>

#include <stytch/b2b/delete_external_id.hpp>
#include <stytch/b2b/organization.hpp>
#include <stytch/error.hpp>

namespace stytch::b2b {

BOOST_DESCRIBE_STRUCT(active_sso_connection, (), (connection_id, display_name, identity_provider))

BOOST_DESCRIBE_STRUCT(email_implicit_role_assignment, (), (domain, role_id))

BOOST_DESCRIBE_STRUCT(permission, (), (resource_id, actions))

BOOST_DESCRIBE_STRUCT(custom_role, (), (role_id, description, permissions))

BOOST_DESCRIBE_STRUCT(active_scim_connection, (),
                      (connection_id, display_name, bearer_token_last_four,
                       bearer_token_expires_at))

BOOST_DESCRIBE_STRUCT(organization, (),
                      (organization_id, organization_name, organization_logo_url, organization_slug,
                       sso_jit_provisioning, sso_jit_provisioning_allowed_connections,
                       sso_active_connections, email_allowed_domains, email_jit_provisioning,
                       email_invites, auth_methods, allowed_auth_methods, mfa_policy,
                       rbac_email_implicit_role_assignments, mfa_methods, allowed_mfa_methods,
                       oauth_tenant_jit_provisioning, claimed_email_domains,
                       first_party_connected_apps_allowed_type, allowed_first_party_connected_apps,
                       third_party_connected_apps_allowed_type, allowed_third_party_connected_apps,
                       custom_roles, trusted_metadata, created_at, updated_at,
                       organization_external_id, sso_default_connection_id, scim_active_connection,
                       allowed_oauth_tenants))

BOOST_DESCRIBE_STRUCT(delete_external_id_response, (), (request_id, status_code, organization))

}  // namespace stytch::b2b

namespace stytch {

BOOST_DESCRIBE_STRUCT(api_error, (),
                      (status_code, request_id, error_type, error_message, error_url,
                       error_details))

}  // namespace stytch
