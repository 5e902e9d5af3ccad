#pragma once

// What the client decodes of an organization (the members of stytch::b2b::organization and
// its records: the required ones present, every one of its JSON type), for refusing a record
// the client could not decode.

#include <boost/json/object.hpp>

#include <optional>
#include <string>

namespace stytch::mock::detail {

/// The first required member of `organization` that is absent or null, or member the client
/// knows of the wrong JSON type, as a reason naming its path, e.g.
/// "custom_roles[1].permissions[0].resource_id is missing"; nothing when the organization is
/// complete.
std::optional<std::string> incomplete_member(const boost::json::object& organization);

}  // namespace stytch::mock::detail
