#include "retry_rules.hpp"

#include <boost/asio/error.hpp>

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

}  // namespace stytch::detail
