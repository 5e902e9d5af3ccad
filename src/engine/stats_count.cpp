#include "engine/stats_count.hpp"

#include <boost/asio/error.hpp>

#include <stytch/error.hpp>

namespace stytch::detail {

void count_failure(call_failures& f, boost::system::error_code ec) noexcept {
    if (ec == condition::invalid_request) {
        ++f.invalid_request;
    } else if (ec == condition::api_error) {
        ++f.api_error;
    } else if (ec == condition::decode_error) {
        ++f.decode_error;
    } else if (ec == condition::protocol_error) {
        ++f.protocol_error;
    } else if (ec == condition::proxy_error) {
        ++f.proxy_error;
    } else if (ec == boost::asio::error::timed_out) {
        ++f.timed_out;
    } else if (ec == boost::asio::error::operation_aborted) {
        ++f.cancelled;
    } else if (ec == error::client_closed) {
        ++f.client_closed;
    } else {
        ++f.transport;
    }
}

bool count_discard(connection_discards& d, connection_state s, bool open_failed,
                   bool client_closed) noexcept {
    if (client_closed) {
        ++d.client_closed;
    } else if (s == connection_state::ready) {
        return false;
    } else if (open_failed) {
        ++d.open_failed;
    } else if (s == connection_state::silent_failure) {
        ++d.stale;
    } else if (s == connection_state::spent) {
        ++d.not_reusable;
    } else {
        ++d.interrupted;  // closed by abort(): deadline or cancellation
    }
    return true;
}

}  // namespace stytch::detail
