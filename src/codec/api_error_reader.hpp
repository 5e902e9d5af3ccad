#pragma once

// The members of an error answer, in Stytch's shape or the OAuth2 one.

#include <boost/json/object.hpp>

#include <stytch/error.hpp>

namespace stytch::detail::json_decode {

/// Reads `obj`, an error answer's top-level object, into `out` leniently: each of
/// `request_id`, `error_type`, `error_message`, `error_url` from Stytch's name when that is a
/// string, else from its OAuth2 name (`error`, `error_description`, `error_uri`) when that is
/// one; `error_details` whatever its kind unless it holds a number beyond the range of a
/// double. Members of another kind, and unknown members, are ignored; `out` is otherwise left
/// as it is.
void read_api_error_members(const boost::json::object& obj, api_error& out);

}  // namespace stytch::detail::json_decode
