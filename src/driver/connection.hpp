#pragma once

// One keep-alive connection over TLS, on its own strand. Over HTTP/1.1 the pool hands it to
// one call at a time; over HTTP/2 (the server selected h2) it carries many calls' streams
// through its h2_channel. Every attempt on it runs on its strand, so busy connections progress
// on as many threads as the io_context has. Its life is the machine in
// engine/connection_state.hpp; opening it is in driver/connection_open.hpp. A template on the
// executor so that the strand is a concrete type: a strand inside any_io_executor costs heap
// allocations on every completion. Instantiated by the client_core_*.cpp files only.

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/system/error_code.hpp>

#include <array>
#include <cerrno>
#include <chrono>
#include <cstddef>
#include <exception>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <tuple>

#include <sys/socket.h>

#include "codec/base_url.hpp"
#include "driver/h2_channel.hpp"
#include "engine/connection_state.hpp"
#include "protocol/answer_reader.hpp"
#include "protocol/http_answer.hpp"
#include "transport/proxy_connect.hpp"
#include "transport/tls_context.hpp"
#include "transport/tls_stream.hpp"

namespace stytch::detail {

/// True for the errors of a peer that closed or reset the connection.
inline bool is_peer_gone(const boost::system::error_code& ec) {
    namespace asio = boost::asio;
    return ec == asio::error::eof || ec == asio::error::connection_reset ||
           ec == asio::error::broken_pipe || ec == asio::ssl::error::stream_truncated ||
           ec == boost::beast::http::error::end_of_stream;
}

template <class Executor>
class connection : public std::enable_shared_from_this<connection<Executor>> {
  public:
    using clock = std::chrono::steady_clock;
    using executor_type = Executor;
    using timer_type =
        boost::asio::basic_waitable_timer<clock, boost::asio::wait_traits<clock>, Executor>;
    template <class T>
    using task = boost::asio::awaitable<T, Executor>;

    /// `h2` and `max_streams` apply if the server selects HTTP/2; `goodbye_limit` bounds a
    /// polite close (see retire()).
    connection(const Executor& ex, boost::asio::ssl::context& ctx, const h2_limits& h2,
               std::size_t max_streams, std::chrono::milliseconds goodbye_limit)
        : resolver_(ex),
          stream_(ex, ctx),
          open_timer_(ex),
          h2_limits_(h2),
          max_streams_(max_streams),
          goodbye_limit_(goodbye_limit) {}

    Executor get_executor() noexcept { return resolver_.get_executor(); }

    /// Resolves the host, connects (TCP_NODELAY) and completes the TLS handshake with
    /// host-name verification. With `via`, connects to the proxy instead (and completes a TLS
    /// handshake with it, verified against its name, for an https proxy) and opens a CONNECT
    /// tunnel first; TLS inside it is verified against `ep.host`, never the proxy's name.
    /// Past `give_up_at` the connection is closed and the result is `asio::error::timed_out`.
    /// Needs to be owned by a shared_ptr.
    task<boost::system::error_code> async_open(const endpoint& ep, const proxy_route* via,
                                               clock::time_point give_up_at);

    /// The proxy's status after async_open failed with `error::proxy_refused`.
    int proxy_status() const noexcept { return proxy_status_; }

    /// Writes `request` and reads one final answer into `out` (interim 1xx answers skipped),
    /// keeping the body within `body_limit`. Call only when quiet() just said true. Afterwards
    /// reusable() tells whether the connection may go back to the pool.
    task<boost::system::error_code> async_exchange(std::string_view request, std::size_t body_limit,
                                                   http_answer& out);

    /// Checks, without waiting, that the server has sent nothing since the handshake or the
    /// last answer: no byte, EOF, reset or close_notify, at the HTTP, TLS or socket level. Go's
    /// net/http and curl refuse to reuse a connection that spoke out of turn: what it sent
    /// would be taken as the next call's answer. Once false, stays false; fault() says why.
    bool quiet() noexcept {
        if (state_ == connection_state::ready) {
            fault_ = buffer_.size() != 0 ? boost::system::error_code(error::unsolicited_answer)
                                         : stream_.check_idle();
            if (fault_) {
                state_ = next(state_, connection_event::spoke_while_idle);
            }
        }
        return state_ == connection_state::ready;
    }

    /// Closes the socket at once; pending operations complete with operation_aborted and the
    /// connection cannot be opened again. `why` becomes fault(). Over HTTP/2 every stream
    /// still waiting ends with `connection_error`.
    void close(boost::system::error_code why = boost::asio::error::operation_aborted) noexcept {
        if (state_ != connection_state::closed) {
            fault_ = why;
        }
        state_ = next(state_, connection_event::close);
        resolver_.cancel();
        boost::system::error_code ignored;
        stream_.socket().close(ignored);
        open_timer_.cancel();
        if (channel_) {
            channel_->connection_lost(why);
        }
    }

    /// The execution context is being destroyed (nothing runs on the strand any more): over
    /// HTTP/2, the streams' waiters — coroutines of attempts that hold the connection — are
    /// destroyed, not resumed. The rest goes when the last owner lets go.
    void abandon() noexcept {
        if (channel_) {
            channel_->abandon();
        }
    }

    /// Closes the connection politely, from any thread (the pool lets it go, under the
    /// engine's mutex): on its strand, an idle connection (`ready`) says goodbye — over HTTP/2
    /// a GOAWAY NO_ERROR, then TLS close_notify (to the proxy too, through an https proxy),
    /// then FIN — and closes once the server closed its side, or after `goodbye_limit` at the
    /// latest, so that a server that reads nothing holds neither the connection nor the
    /// io_context longer. A connection in any other state closes at once. The operation owns
    /// the connection until it ends; nothing else waits for it.
    void retire() {
        // Posted: never inline, under the engine's mutex, even when called on the strand.
        boost::asio::post(get_executor(), [self = this->shared_from_this()] {
            boost::asio::co_spawn(self->get_executor(), self->say_goodbye(self),
                                  [self](std::exception_ptr) { self->close(); });
        });
    }

    /// Interrupts the work done for `who`: over HTTP/2 its stream is reset (RST_STREAM
    /// CANCEL) and the connection goes on; over HTTP/1.1 the connection is closed, if `who`
    /// still uses it. On the connection's strand.
    void interrupt(const void* who, boost::system::error_code why) {
        if (channel_) {
            channel_->cancel(who, this->shared_from_this());
        } else if (holder == who) {
            close(why);
        }
    }

    /// True once the server selected HTTP/2: the connection carries many calls at once. Set
    /// before the connection is first given back to the pool, never changed after.
    bool multiplexed() const noexcept { return channel_ != nullptr; }

    /// HTTP/2: true while the connection takes new streams (any thread).
    bool accepting() const noexcept { return channel_ && channel_->accepting(); }

    /// HTTP/2: how many streams it may carry at once (any thread).
    std::size_t capacity() const noexcept { return channel_ ? channel_->capacity() : 1; }

    /// HTTP/2: why the connection failed (see h2_channel::failure).
    boost::system::error_code h2_failure() const noexcept { return channel_->failure(); }

    /// HTTP/2, with no stream in flight: true when the server has closed or reset the
    /// connection with nothing before the end (seen without reading: a peek at the socket).
    /// Frames it sent while the connection idled (a GOAWAY) are left for the reader.
    bool peer_closed() noexcept {
        if (channel_->in_flight() != 0 || stream_.holds_input()) {
            return false;
        }
        char byte;
        for (;;) {
            const ssize_t n =
                ::recv(stream_.socket().native_handle(), &byte, 1, MSG_PEEK | MSG_DONTWAIT);
            if (n >= 0) {
                return n == 0;
            }
            if (errno != EINTR) {
                return errno != EAGAIN && errno != EWOULDBLOCK;
            }
        }
    }

    /// HTTP/2: when the server last sent anything.
    clock::time_point last_heard() const noexcept { return channel_->last_heard(); }

    /// HTTP/2: sends a PING and waits until `give_up_at` for its answer (see h2_channel).
    task<h2_outcome> async_ping(clock::time_point give_up_at, const void* who) {
        return channel_->async_ping(give_up_at, who, this->shared_from_this());
    }

    /// HTTP/2: sends `fields` on a new stream and waits for its end (see h2_channel).
    task<h2_result> async_request(std::span<const header_field> fields, const void* who) {
        return channel_->async_request(fields, who, this->shared_from_this());
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
    bool reusable() const noexcept { return state_ == connection_state::ready; }

    /// True when the last exchange failed because the peer closed or reset the connection
    /// before any byte of an answer, or quiet() found it had spoken. On a connection that had
    /// served before, the server most likely closed it while it was idle in the pool.
    bool failed_without_answer() const noexcept {
        return state_ == connection_state::silent_failure;
    }

    connection_state state() const noexcept { return state_; }

    /// True once async_open got as far as the TLS handshake with the server.
    bool reached_handshake() const noexcept { return reached_handshake_; }

    /// Why quiet() said false, or why the connection was closed.
    boost::system::error_code fault() const noexcept { return fault_; }

    /// When it was last put back into the pool (HTTP/2: when its last stream ended).
    clock::time_point idle_since{};

    /// HTTP/2: streams granted by the pool and not yet given back (under the engine's mutex).
    std::size_t streams = 0;

    /// The call whose attempt uses the connection; touched on the connection's strand only,
    /// so that an interruption meant for one call never reaches the next.
    const void* holder = nullptr;

  private:
    using tcp = boost::asio::ip::tcp;
    static constexpr auto use_tuple =
        boost::asio::as_tuple(boost::asio::use_awaitable_t<Executor>{});
    // Bytes asked of each read: an answer of a few KB arrives in one read, and the buffer an
    // idle connection keeps stays small (a larger answer grows it as needed).
    static constexpr std::size_t read_size = 4 * 1024;

    task<boost::system::error_code> open_steps(const endpoint& ep, const proxy_route* via);
    task<void> say_goodbye(std::shared_ptr<connection> self);
    bool closed() const noexcept { return state_ == connection_state::closed; }

    boost::asio::ip::basic_resolver<tcp, Executor> resolver_;
    std::unique_ptr<tls_stream<Executor>> proxy_tls_;  // with an https proxy: under stream_
    tls_stream<Executor> stream_;
    timer_type open_timer_;
    connection_state state_ = connection_state::unopened;
    boost::system::error_code fault_;
    bool reached_handshake_ = false;  // for reports: how far the open got
    // Plaintext: what waits unparsed is bounded by the reader, so the buffer never grows past
    // that bound and one read.
    boost::beast::flat_buffer buffer_{answer_limits{}.metadata + read_size};
    std::string body_;  // reused: its capacity stays with the connection
    std::string retry_after_;
    int proxy_status_ = 0;
    h2_limits h2_limits_;
    std::size_t max_streams_;
    std::chrono::milliseconds goodbye_limit_;
    std::unique_ptr<h2_channel<Executor>> channel_;  // once the server selected HTTP/2
};

}  // namespace stytch::detail

#include "driver/connection_goodbye.hpp"
#include "driver/connection_http1.hpp"
#include "driver/connection_open.hpp"
