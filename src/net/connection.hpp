#pragma once

// One keep-alive HTTP/1.1 connection over TLS. Not thread-safe: the pool hands it to one call
// at a time, and everything runs on the client's strand. A template on the executor so that
// the strand is a concrete type: a strand inside any_io_executor costs heap allocations on
// every completion. Instantiated by the client_core_*.cpp files only.

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/system/error_code.hpp>

#include <charconv>
#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <tuple>

#include "codec/base_url.hpp"
#include "net/answer_reader.hpp"
#include "net/proxy_connect.hpp"
#include "net/tls_context.hpp"
#include "net/tls_stream.hpp"

namespace stytch::detail {

/// What came back for one request. The views point into the connection's buffers and stay
/// valid until its next exchange.
struct http_answer {
    int status = 0;
    std::string_view body;
    std::string_view retry_after;  ///< raw `Retry-After` header, empty when absent
};

/// True for the errors of a peer that closed or reset the connection.
inline bool is_peer_gone(const boost::system::error_code& ec) {
    namespace asio = boost::asio;
    return ec == asio::error::eof || ec == asio::error::connection_reset ||
           ec == asio::error::broken_pipe || ec == asio::ssl::error::stream_truncated ||
           ec == boost::beast::http::error::end_of_stream;
}

template <class Executor>
class connection {
  public:
    using clock = std::chrono::steady_clock;
    using executor_type = Executor;
    using timer_type =
        boost::asio::basic_waitable_timer<clock, boost::asio::wait_traits<clock>, Executor>;
    template <class T>
    using task = boost::asio::awaitable<T, Executor>;

    connection(const Executor& ex, boost::asio::ssl::context& ctx)
        : resolver_(ex), stream_(ex, ctx) {}

    /// Resolves the host, connects (TCP_NODELAY) and completes the TLS handshake with
    /// host-name verification. With `via`, connects to the proxy instead (and completes a TLS
    /// handshake with it, verified against its name, for an https proxy) and opens a CONNECT
    /// tunnel first; TLS inside it is verified against `ep.host`, never the proxy's name.
    task<boost::system::error_code> async_open(const endpoint& ep,
                                               const proxy_route* via = nullptr);

    /// The proxy's status after async_open failed with `error::proxy_refused`.
    int proxy_status() const noexcept { return proxy_status_; }

    /// Writes `request` and reads one final answer into `out` (interim 1xx answers skipped),
    /// keeping the body within `body_limit`. Afterwards reusable() tells whether the connection
    /// may go back to the pool.
    task<boost::system::error_code> async_exchange(std::string_view request, std::size_t body_limit,
                                                   http_answer& out);

    /// Checks, without waiting, that the server has sent nothing since the handshake or the
    /// last answer: no byte, EOF, reset or close_notify, at the HTTP, TLS or socket level. Go's
    /// net/http and curl refuse to reuse a connection that spoke out of turn: what it sent
    /// would be taken as the next call's answer. Once false, stays false.
    bool quiet() noexcept {
        if (reusable_) {
            idle_error_ = buffer_.size() != 0 ? boost::system::error_code(error::unsolicited_answer)
                                              : stream_.check_idle();
            reusable_ = !idle_error_;
        }
        return reusable_;
    }

    /// Closes the socket at once; pending operations complete with operation_aborted and the
    /// connection cannot be opened again.
    void close() noexcept {
        closed_ = true;
        resolver_.cancel();
        boost::system::error_code ignored;
        stream_.socket().close(ignored);
        reusable_ = false;
    }

    /// Trims the memory an idle connection holds (see tls_stream::release_buffers).
    void release_buffers() noexcept {
        stream_.release_buffers();
        if (proxy_tls_) {
            proxy_tls_->release_buffers();
        }
        buffer_.shrink_to_fit();
        body_.clear();
        body_.shrink_to_fit();
    }

    /// True after an exchange that left the connection keep-alive with nothing pending.
    bool reusable() const noexcept { return reusable_; }

    /// True when the last exchange failed because the peer closed or reset the connection
    /// before any byte of an answer. On a connection that had served before, the server most
    /// likely closed it while it was idle in the pool.
    bool failed_without_answer() const noexcept { return failed_without_answer_; }

    /// True once async_open got as far as the TLS handshake with the server.
    bool reached_handshake() const noexcept { return reached_handshake_; }

    /// When it was last put back into the pool.
    clock::time_point idle_since{};

  private:
    using tcp = boost::asio::ip::tcp;
    static constexpr auto use_tuple =
        boost::asio::as_tuple(boost::asio::use_awaitable_t<Executor>{});
    // Bytes asked of each read: an answer of a few KB arrives in one read, and the buffer an
    // idle connection keeps stays small (a larger answer grows it as needed).
    static constexpr std::size_t read_size = 4 * 1024;

    boost::asio::ip::basic_resolver<tcp, Executor> resolver_;
    std::unique_ptr<tls_stream<Executor>> proxy_tls_;  // with an https proxy: under stream_
    tls_stream<Executor> stream_;
    bool closed_ = false;
    // Plaintext: what waits unparsed is bounded by the reader, so the buffer never grows past
    // that bound and one read.
    boost::beast::flat_buffer buffer_{answer_limits{}.metadata + read_size};
    std::string body_;  // reused: its capacity stays with the connection
    std::string retry_after_;
    bool reusable_ = false;
    boost::system::error_code idle_error_;  // what quiet() found
    bool failed_without_answer_ = false;
    bool reached_handshake_ = false;
    int proxy_status_ = 0;
};

template <class Executor>
auto connection<Executor>::async_open(const endpoint& ep, const proxy_route* via)
    -> task<boost::system::error_code> {
    namespace asio = boost::asio;
    if (via && via->tls) {
        // The socket and the TLS session with the proxy; stream_ then runs inside it.
        proxy_tls_ = std::make_unique<tls_stream<Executor>>(resolver_.get_executor(), *via->tls);
        stream_.carry_over(*proxy_tls_);
    }
    char port[8];
    auto [end, _] = std::to_chars(port, port + sizeof port, via ? via->proxy.port : ep.port);
    auto [rec, results] = co_await resolver_.async_resolve(
        via ? via->proxy.host : ep.host, std::string_view(port, end - port),
        tcp::resolver::numeric_service, use_tuple);
    if (closed_) {
        co_return asio::error::operation_aborted;
    }
    if (rec) {
        co_return rec;
    }
    // One address after the other, by hand: close() must stop the loop, and a ranged
    // async_connect would reopen the socket for the next address.
    auto& socket = stream_.socket();
    boost::system::error_code cec = asio::error::host_not_found;
    for (const auto& entry : results) {
        boost::system::error_code ignored;
        socket.close(ignored);
        std::tie(cec) = co_await socket.async_connect(entry.endpoint(), use_tuple);
        if (closed_) {
            co_return asio::error::operation_aborted;
        }
        if (!cec) {
            break;
        }
    }
    if (cec) {
        co_return cec;
    }
    boost::system::error_code ec;
    socket.set_option(tcp::no_delay(true), ec);
    if (proxy_tls_) {
        if (!set_expected_peer(proxy_tls_->native_handle(), via->proxy.host)) {
            co_return asio::error::invalid_argument;
        }
        auto [pec, _p] = co_await proxy_tls_->async_handshake();
        if (closed_) {
            co_return asio::error::operation_aborted;
        }
        if (pec) {
            co_return pec;
        }
    }
    if (via) {
        plain_stream<typename tls_stream<Executor>::socket_type> plain{socket};
        auto tec = proxy_tls_ ? co_await async_proxy_connect<Executor>(
                                    *proxy_tls_, via->connect_request, proxy_status_)
                              : co_await async_proxy_connect<Executor>(plain, via->connect_request,
                                                                       proxy_status_);
        if (closed_) {
            co_return asio::error::operation_aborted;
        }
        if (tec) {
            co_return tec;
        }
    }
    if (!set_expected_peer(stream_.native_handle(), ep.host)) {
        co_return asio::error::invalid_argument;
    }
    reached_handshake_ = true;
    auto [hec, _h] = co_await stream_.async_handshake();
    if (via && is_peer_gone(hec)) {
        co_return stytch::error::proxy_tunnel_failed;  // e.g. a 2xx, then the proxy closed
    }
    reusable_ = !hec;
    co_return hec;
}

template <class Executor>
auto connection<Executor>::async_exchange(std::string_view request, std::size_t body_limit,
                                          http_answer& out) -> task<boost::system::error_code> {
    failed_without_answer_ = false;
    // The last moment to find out that the server spoke out of turn: whatever it sent would
    // otherwise be read as this request's answer.
    if (!quiet()) {
        failed_without_answer_ = true;
        co_return idle_error_ ? idle_error_ : boost::system::error_code(error::unsolicited_answer);
    }
    reusable_ = false;
    auto [wec, _] = co_await stream_.async_write(request);
    if (wec) {
        failed_without_answer_ = is_peer_gone(wec);
        co_return wec;
    }

    // Beast's http::async_read, flattened into this coroutine: the same parser calls without
    // two composed operations (and their work guards) per read.
    answer_limits limits;
    limits.body = body_limit;
    answer_reader reader(body_, retry_after_, limits);
    boost::system::error_code ec;
    while (reader.feed(buffer_, ec) == parse_status::need_more) {
        auto [rec, n] = co_await stream_.async_read_some(buffer_.prepare(read_size));
        buffer_.commit(n);
        if (rec == boost::asio::error::eof && reader.got_some()) {
            reader.put_eof(ec);  // an answer whose end is the end of the connection
            break;
        }
        if (rec) {
            ec = rec == boost::asio::error::eof
                     ? boost::system::error_code(boost::beast::http::error::end_of_stream)
                     : rec;
            break;
        }
    }
    if (ec) {
        failed_without_answer_ = !reader.got_some() && is_peer_gone(ec);
        co_return ec;
    }

    out.status = reader.status();
    out.body = body_;
    out.retry_after = retry_after_;
    // Anything after the answer in our buffers means the server sent more than was asked for;
    // the socket is checked when the connection is next handed out.
    reusable_ = reader.keep_alive() && buffer_.size() == 0 && !stream_.holds_input();
    co_return boost::system::error_code{};
}

}  // namespace stytch::detail
