#include "organization_schema.hpp"

#include <boost/json/value.hpp>

#include <span>
#include <string_view>

namespace stytch::mock::detail {
namespace {

namespace json = boost::json;

enum class shape {
    string,           // a string
    strings,          // an array of strings
    records,          // an array of objects of `sub`
    optional_record,  // absent, null, or an object of `sub`
    optional_string,  // absent, null, or a string
    optional_object,  // absent, null, or any object (free-form)
};

struct member {
    std::string_view name;
    shape kind;
    std::span<const member> sub{};  // records, optional_record: the members of each object
};

// Mirrors include/stytch/b2b/organization.hpp: its required members, and its optional ones,
// whose type the client checks too when they are present and not null.
constexpr member sso_connection_members[] = {{"connection_id", shape::string},
                                             {"display_name", shape::string},
                                             {"identity_provider", shape::string}};
constexpr member role_assignment_members[] = {{"domain", shape::string},
                                              {"role_id", shape::string}};
constexpr member permission_members[] = {{"resource_id", shape::string},
                                         {"actions", shape::strings}};
constexpr member custom_role_members[] = {{"role_id", shape::string},
                                          {"description", shape::string},
                                          {"permissions", shape::records, permission_members}};
constexpr member scim_connection_members[] = {{"connection_id", shape::string},
                                              {"display_name", shape::string},
                                              {"bearer_token_last_four", shape::optional_string},
                                              {"bearer_token_expires_at", shape::optional_string}};
constexpr member organization_members[] = {
    {"organization_id", shape::string},
    {"organization_name", shape::string},
    {"organization_logo_url", shape::string},
    {"organization_slug", shape::string},
    {"sso_jit_provisioning", shape::string},
    {"sso_jit_provisioning_allowed_connections", shape::strings},
    {"sso_active_connections", shape::records, sso_connection_members},
    {"email_allowed_domains", shape::strings},
    {"email_jit_provisioning", shape::string},
    {"email_invites", shape::string},
    {"auth_methods", shape::string},
    {"allowed_auth_methods", shape::strings},
    {"mfa_policy", shape::string},
    {"rbac_email_implicit_role_assignments", shape::records, role_assignment_members},
    {"mfa_methods", shape::string},
    {"allowed_mfa_methods", shape::strings},
    {"oauth_tenant_jit_provisioning", shape::string},
    {"claimed_email_domains", shape::strings},
    {"first_party_connected_apps_allowed_type", shape::string},
    {"allowed_first_party_connected_apps", shape::strings},
    {"third_party_connected_apps_allowed_type", shape::string},
    {"allowed_third_party_connected_apps", shape::strings},
    {"custom_roles", shape::records, custom_role_members},
    {"trusted_metadata", shape::optional_object},
    {"created_at", shape::optional_string},
    {"updated_at", shape::optional_string},
    {"organization_external_id", shape::optional_string},
    {"sso_default_connection_id", shape::optional_string},
    {"scim_active_connection", shape::optional_record, scim_connection_members},
    {"allowed_oauth_tenants", shape::optional_object},
};

std::optional<std::string> check(const json::object& o, std::span<const member> members,
                                 const std::string& prefix);

std::optional<std::string> check_member(const json::value* v, const member& m,
                                        const std::string& path) {
    if (v == nullptr || v->is_null()) {
        if (m.kind == shape::optional_record || m.kind == shape::optional_string ||
            m.kind == shape::optional_object) {
            return std::nullopt;
        }
        return path + " is missing";
    }
    switch (m.kind) {
        case shape::string:
        case shape::optional_string:
            if (!v->is_string()) {
                return path + " is not a string";
            }
            return std::nullopt;
        case shape::strings:
        case shape::records: {
            const json::array* a = v->if_array();
            if (a == nullptr) {
                return path + " is not an array";
            }
            for (std::size_t i = 0; i < a->size(); ++i) {
                const std::string element = path + "[" + std::to_string(i) + "]";
                const json::value& e = (*a)[i];
                if (m.kind == shape::strings && !e.is_string()) {
                    return element + " is not a string";
                }
                if (m.kind == shape::records) {
                    if (!e.is_object()) {
                        return element + " is not an object";
                    }
                    if (auto reason = check(e.get_object(), m.sub, element + ".")) {
                        return reason;
                    }
                }
            }
            return std::nullopt;
        }
        case shape::optional_record:
            if (!v->is_object()) {
                return path + " is not an object";
            }
            return check(v->get_object(), m.sub, path + ".");
        case shape::optional_object:
            if (!v->is_object()) {
                return path + " is not an object";
            }
            return std::nullopt;
    }
    return std::nullopt;
}

std::optional<std::string> check(const json::object& o, std::span<const member> members,
                                 const std::string& prefix) {
    for (const member& m : members) {
        if (auto reason = check_member(o.if_contains(m.name), m, prefix + std::string(m.name))) {
            return reason;
        }
    }
    return std::nullopt;
}

}  // namespace

std::optional<std::string> incomplete_member(const json::object& organization) {
    return check(organization, organization_members, "");
}

}  // namespace stytch::mock::detail
