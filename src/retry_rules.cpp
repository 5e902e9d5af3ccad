#include "retry_rules.hpp"

#include <boost/asio/error.hpp>

#include <algorithm>

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
    auto bound = std::max(policy.base_delay, std::chrono::milliseconds::zero());
    const auto cap = policy.max_delay;
    for (std::size_t i = 1; i < attempt && bound < cap; ++i) {
        // Doubling past the cap is the cap: compared before multiplying, so it never overflows.
        bound = bound > cap / 2 ? cap : bound * 2;
        if (bound == std::chrono::milliseconds::zero()) {
            break;
        }
    }
    return std::min(bound, cap);
}

}  // namespace stytch::detail
