#pragma once

// Sans-io parsing of the Retry-After header (RFC 9110 10.2.3).

#include <chrono>
#include <optional>
#include <string_view>

namespace stytch::detail {

/// The delay a `Retry-After` value asks for: delay-seconds, or an IMF-fixdate
/// (`Sun, 06 Nov 1994 08:49:37 GMT`) relative to `now` (a date in the past is zero).
/// A delay too long for `milliseconds` saturates at `milliseconds::max()`: nothing overflows.
/// `std::nullopt` for anything else.
std::optional<std::chrono::milliseconds> parse_retry_after(
    std::string_view value, std::chrono::system_clock::time_point now);

}  // namespace stytch::detail
