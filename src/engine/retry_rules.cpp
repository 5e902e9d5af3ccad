#include "engine/retry_rules.hpp"

#include <boost/asio/error.hpp>

#include <algorithm>

#include "base/time_arith.hpp"

namespace stytch::detail {

namespace asio = boost::asio;

bool is_transient_connect_error(const boost::system::error_code& ec) {
    if (ec.category() == asio::error::get_netdb_category()) {
        return ec == asio::error::host_not_found_try_again;
    }
    return ec.category() == boost::system::system_category() &&
           ec != asio::error::operation_aborted;
}

bool is_retryable_status(int status, const retry_policy& policy) {
    return status == 429 || status == 502 || status == 503 || status == 504 ||
           (status == 500 && policy.retry_internal_server_error);
}

std::chrono::milliseconds backoff_bound(const retry_policy& policy, std::size_t attempt) {
    const auto zero = std::chrono::milliseconds::zero();
    auto bound = std::max(policy.base_delay, zero);
    // At most 63 doublings before the cap or the saturated maximum: bounded for any attempt.
    for (std::size_t i = 1; i < attempt && bound < policy.max_delay && bound > zero; ++i) {
        bound = saturating_double(bound);
    }
    return std::min(bound, policy.max_delay);
}

}  // namespace stytch::detail
