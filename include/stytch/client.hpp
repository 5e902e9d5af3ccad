#pragma once

/// @file
/// The client: owns the connection pool and gives access to the APIs.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/execution_context.hpp>

#include <memory>
#include <type_traits>

#include <stytch/b2b/organizations.hpp>
#include <stytch/config.hpp>
#include <stytch/export.hpp>
#include <stytch/stats.hpp>

namespace stytch {

/// A Stytch B2B API client with a pool of keep-alive TLS connections.
///
/// **Threading**: the client has no threads of its own. All of its work runs on one strand of
/// the execution context behind the executor given at construction (for an io_context, a
/// strand of its own executor type, which avoids type erasure on the hot path), so the
/// io_context may be run by one or many threads, and every member function may be called from
/// any thread. Completion handlers run on their associated executor, by default the one given.
///
/// **Object lifetimes**: destroying the client (or calling @ref close) completes every waiting
/// and in-flight call with `error::client_closed` and closes every connection; nothing owned by
/// the caller is touched afterwards. The io_context must keep running until those calls have
/// completed, for their handlers to run. The client and its io_context (or other execution
/// context) may be destroyed in either order, with calls in flight or not, run or never run:
/// everything is freed, and a destroyed context is never touched. Its destruction ends the
/// client's calls as it ends every pending operation: their handlers are destroyed, not
/// invoked; the client is closed from then on, and a call started on it has its handler
/// destroyed at once.
class STYTCH_EXPORT client {
  public:
    /// The executor type: the client runs its work on a strand of such an executor.
    using executor_type = boost::asio::any_io_executor;

    /// Creates a client. No connection is opened until the first call.
    /// @throws boost::system::system_error with the code of `cfg.validate()`, or with the
    /// SSL error when `cfg.ca_file` cannot be loaded.
    client(executor_type ex, client_config cfg);

    /// Creates a client on `ctx`'s executor, as Asio's I/O objects take an execution context:
    /// `stytch::client c(ioc, cfg);` for an io_context (or a thread_pool). Same as
    /// `client(ctx.get_executor(), std::move(cfg))`.
    template <
        class ExecutionContext,
        std::enable_if_t<std::is_convertible_v<ExecutionContext&, boost::asio::execution_context&>,
                         int> = 0>
    client(ExecutionContext& ctx, client_config cfg)
        : client(executor_type(ctx.get_executor()), std::move(cfg)) {}

    /// Moves the client. The moved-from object is closed and empty: close() does nothing,
    /// organizations() gives a handle whose calls fail with `error::client_closed`,
    /// get_executor() an empty executor and config() a default configuration.
    client(client&&) noexcept;
    /// Closes this client (see @ref close), then takes over `other`'s state.
    client& operator=(client&&) noexcept;
    client(const client&) = delete;
    client& operator=(const client&) = delete;

    /// Closes the client (see @ref close).
    ~client();

    /// The executor given at construction; an empty executor once its execution context has
    /// been destroyed.
    executor_type get_executor() const;

    /// The configuration in use (with defaults applied).
    const client_config& config() const;

    /// The Organizations API.
    b2b::organizations organizations() const;

    /// A consistent snapshot of the client's gauges, counters and latency histograms (see
    /// @ref client_stats and docs/metrics.md), taken under the lock the client's own
    /// bookkeeping uses, for the few microseconds it takes to copy two 21 KB histograms:
    /// cheap enough to call every second.
    /// Thread-safe. A moved-from client gives all zeros.
    client_stats stats() const;

    /// Completes every waiting and in-flight call with `error::client_closed`, closes every
    /// connection, and refuses new calls with the same code. Idempotent, thread-safe, returns
    /// at once. Each connection then says goodbye on the io_context (an HTTP/2 GOAWAY, TLS
    /// close_notify, FIN) and is closed once the server closed too, or after
    /// min(`connect_timeout`, 1 s) at the latest; one in use is closed at once.
    void close();

  private:
    std::shared_ptr<detail::client_impl> impl_;
};

}  // namespace stytch
