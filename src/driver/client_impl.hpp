#pragma once

// What the public client and the Organizations API see of a client: configuration, the
// executor given at construction, and two operations. client_core<Executor> implements it for
// a concrete executor type (see client_core.hpp).

#include <boost/asio/any_completion_executor.hpp>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ssl/context.hpp>

#include <memory>
#include <optional>

#include <stytch/b2b/organizations.hpp>
#include <stytch/config.hpp>
#include <stytch/stats.hpp>

#include "codec/base_url.hpp"
#include "codec/request_encoder.hpp"
#include "transport/proxy_connect.hpp"

namespace stytch::detail {

/// A call's completion handler, as the Organizations API hands it over.
using call_handler = erased_completion<b2b::delete_external_id_response>;

class client_impl {
  public:
    /// @throws boost::system::system_error for an invalid configuration or CA file.
    static std::shared_ptr<client_impl> create(boost::asio::any_io_executor ex, client_config cfg);

    virtual ~client_impl() = default;

    /// The executor given at construction; empty once its execution context was destroyed.
    /// Thread-safe.
    virtual boost::asio::any_io_executor get_executor() = 0;
    const client_config& config() const noexcept { return cfg_; }

    /// Starts one DeleteExternalId call. Thread-safe.
    virtual void start(call_handler handler, const b2b::delete_external_id_request& request,
                       const b2b::delete_external_id_options& options, api_error* diag) = 0;

    /// See client::close(). Thread-safe.
    virtual void close() = 0;

    /// See client::stats(). Thread-safe.
    virtual client_stats stats() = 0;

  protected:
    /// Validates `cfg` and loads the TLS settings.
    client_impl(boost::asio::any_io_executor ex, client_config cfg);

    boost::asio::any_io_executor ex_;
    /// `ex_` as the candidate for a handler's associated executor. Erased once here, from the
    /// concrete type when it is an io_context's: converting `ex_` per call, then making the
    /// result track work, would cost two allocations each time.
    boost::asio::any_completion_executor handler_candidate_;
    client_config cfg_;
    endpoint endpoint_;
    request_encoder encoder_;
    boost::asio::ssl::context tls_;
    std::optional<proxy_route> proxy_;  ///< set when connections go through the proxy
    std::optional<boost::asio::ssl::context> proxy_tls_;  ///< with an https proxy
};

}  // namespace stytch::detail
