#pragma once

// What stytch-b2b says about a call: one line per attempt (--verbose) and, when the call
// fails, a reason that says what to fix. Nothing here sees a credential: attempt_info holds
// none, and only the host and port of the API are printed (never a proxy URL).

#include <boost/system/error_code.hpp>

#include <chrono>
#include <optional>
#include <string>

#include <stytch/config.hpp>
#include <stytch/error.hpp>

namespace stytch::cli {

/// The attempts of one call, as reported by `client_config::on_attempt`.
class call_trace {
  public:
    call_trace(const client_config& cfg, std::string host_port)
        : cfg_(cfg), host_port_(std::move(host_port)) {}

    /// Records an attempt and returns its line for --verbose, e.g.
    /// `attempt 2 (retry after HTTP 503): HTTP 200 in 1.4 ms on a reused connection`.
    std::string record(const attempt_info& info);

    /// Why the call failed with the transport or decode failure `ec`, `elapsed` after it
    /// started: the phase and host:port, the timeout that passed, a hint for certificates.
    std::string failure_reason(const boost::system::error_code& ec, const api_error& details,
                               std::chrono::steady_clock::duration elapsed) const;

  private:
    std::string phase_text(attempt_phase phase) const;

    const client_config& cfg_;
    std::string host_port_;
    std::optional<attempt_info> last_;
};

/// `message [category:value]`.
std::string describe(const boost::system::error_code& ec);

}  // namespace stytch::cli
