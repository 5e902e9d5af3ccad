#pragma once

// The members the client requires of an organization (the non-optional members of
// stytch::b2b::organization and its records), for refusing an incomplete seed file.

#include <boost/json/object.hpp>

#include <optional>
#include <string>

namespace stytch::mock::detail {

/// The first required member of `organization` that is absent, null or of the wrong JSON
/// type, as a reason naming its path, e.g. "custom_roles[1].permissions[0].resource_id is
/// missing"; nothing when the organization is complete.
std::optional<std::string> incomplete_member(const boost::json::object& organization);

}  // namespace stytch::mock::detail
