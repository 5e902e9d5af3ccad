#pragma once

// Which failures the client tries again.

#include <boost/system/error_code.hpp>

#include <chrono>
#include <cstddef>

#include <stytch/config.hpp>

namespace stytch::detail {

/// Connect failures worth another try; TLS failures (verification above all) are not.
bool is_transient_connect_error(const boost::system::error_code& ec);

/// 429, 502, 503, 504, and 500 when the policy says so.
bool is_retryable_status(int status, const retry_policy& policy);

/// The upper bound of the (fully jittered) backoff after attempt `attempt` (1 for the first):
/// min(max_delay, base_delay * 2^(attempt-1)), without overflow for any attempt number.
std::chrono::milliseconds backoff_bound(const retry_policy& policy, std::size_t attempt);

}  // namespace stytch::detail
