#pragma once

// One keep-alive HTTP/1.1 connection over TLS. Not thread-safe: the pool hands it to one call
// at a time, and everything runs on the client's strand.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/system/error_code.hpp>

#include <chrono>
#include <cstddef>
#include <string>
#include <string_view>

#include "codec/base_url.hpp"

namespace stytch::detail {

/// What came back for one request. The views point into the connection's buffers and stay
/// valid until its next exchange.
struct http_answer {
    int status = 0;
    std::string_view body;
    std::string_view retry_after;  ///< raw `Retry-After` header, empty when absent
};

class connection {
  public:
    using clock = std::chrono::steady_clock;

    connection(const boost::asio::any_io_executor& ex, boost::asio::ssl::context& ctx);

    /// Resolves the host, connects (TCP_NODELAY) and completes the TLS handshake with
    /// host-name verification.
    boost::asio::awaitable<boost::system::error_code> async_open(const endpoint& ep);

    /// Writes `request` and reads one complete answer into `out`, keeping the body within
    /// `body_limit`. Afterwards reusable() tells whether the connection may go back to the pool.
    boost::asio::awaitable<boost::system::error_code> async_exchange(std::string_view request,
                                                                     std::size_t body_limit,
                                                                     http_answer& out);

    /// Closes the socket at once; pending operations complete with operation_aborted and the
    /// connection cannot be opened again.
    void close() noexcept;

    /// True after an exchange that left the connection clean and keep-alive.
    bool reusable() const noexcept { return reusable_; }

    /// True when the last exchange failed because the peer closed or reset the connection
    /// before any byte of an answer. On a connection that had served before, the server most
    /// likely closed it while it was idle in the pool.
    bool failed_without_answer() const noexcept { return failed_without_answer_; }

    /// Number of completed exchanges.
    std::size_t exchanges() const noexcept { return exchanges_; }

    /// When it was last put back into the pool.
    clock::time_point idle_since{};

  private:
    boost::asio::ip::tcp::resolver resolver_;
    boost::asio::ssl::stream<boost::asio::ip::tcp::socket> stream_;
    bool closed_ = false;
    boost::beast::flat_buffer buffer_;
    std::string body_;  // reused: its capacity stays with the connection
    std::string retry_after_;
    std::size_t exchanges_ = 0;
    bool reusable_ = false;
    bool failed_without_answer_ = false;
};

}  // namespace stytch::detail
