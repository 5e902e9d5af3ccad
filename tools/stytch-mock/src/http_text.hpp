#pragma once

// Text helpers of the mock's request handling: header names, percent-encoded path segments,
// Basic credentials.

#include <optional>
#include <string>
#include <string_view>

namespace stytch::mock::detail {

/// ASCII case-insensitive equality (HTTP field names).
bool iequals(std::string_view a, std::string_view b);

/// `in` with its %XX escapes decoded; nullopt when an escape is malformed.
std::optional<std::string> percent_decode(std::string_view in);

/// The credentials of a `Basic` Authorization header value, nullopt if it is not one.
std::optional<std::string> basic_credentials(std::string_view authorization);

}  // namespace stytch::mock::detail
