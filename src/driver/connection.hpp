#pragma once

// One keep-alive connection over TLS, on its own strand: the transport and its life (the
// machine in engine/connection_state.hpp). What it speaks once opened is its channel (see
// channel.hpp): http1_channel, which the pool hands to one call at a time, or h2_channel (the
// server selected h2), which carries many calls' streams; nothing here depends on which.
// Every attempt on it runs on its strand, so busy connections progress on as many threads as
// the io_context has. Opening it is in driver/connection_open.hpp. A template on the executor
// so that the strand is a concrete type: a strand inside any_io_executor costs heap
// allocations on every completion. Instantiated by the client_core_*.cpp files only.

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/error_code.hpp>

#include <array>
#include <chrono>
#include <cstddef>
#include <exception>
#include <memory>
#include <tuple>

#include "codec/base_url.hpp"
#include "driver/h2_channel.hpp"
#include "driver/http1_channel.hpp"
#include "engine/connection_state.hpp"
#include "transport/proxy_connect.hpp"
#include "transport/tls_context.hpp"
#include "transport/tls_stream.hpp"

namespace stytch::detail {

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

    /// The channel's part of an attempt (see channel::async_attempt). Call only once opened.
    task<outcome> async_attempt(attempt_context& a) {
        return channel_->async_attempt(a, this->shared_from_this());
    }

    /// After an attempt, on the strand: closes the connection if it cannot serve another call
    /// (a failed open; see channel::closes_after).
    void after_attempt(const outcome& o) {
        const auto why = channel_
                             ? channel_->closes_after(o)
                             : boost::system::error_code(boost::asio::error::operation_aborted);
        if (why) {
            close(why);
        }
    }

    /// Closes the socket at once; pending operations complete with operation_aborted and the
    /// connection cannot be opened again. `why` is what an open under way reports, and its
    /// channel learns it: over HTTP/2 every stream still waiting ends with `connection_error`.
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

    /// Interrupts the work done for `who`: what its channel can stop alone (an HTTP/2
    /// stream: RST_STREAM CANCEL) stops and the connection goes on; otherwise the connection is
    /// closed, if `who` still uses it. On the connection's strand.
    void interrupt(const void* who, boost::system::error_code why) {
        if (channel_ && channel_->interrupt(who, this->shared_from_this())) {
            return;
        }
        if (holder == who) {
            close(why);
        }
    }

    /// True once its channel carries many calls at once (HTTP/2): the pool shares it. Set
    /// before the connection is first given back to the pool, never changed after.
    bool shared() const noexcept { return channel_ && channel_->shared(); }

    /// While shared: true while the connection takes another call (any thread).
    bool accepting() const noexcept { return channel_ && channel_->accepting(); }

    /// How many calls it may carry at once (any thread).
    std::size_t capacity() const noexcept { return channel_ ? channel_->capacity() : 1; }

    /// Trims the memory an idle connection holds (see tls_stream::release_buffers).
    void release_buffers() noexcept {
        stream_.release_buffers();
        if (proxy_tls_) {
            proxy_tls_->release_buffers();
        }
        if (channel_) {
            channel_->release_buffers();
        }
    }

    /// True when open and idle or between calls: an HTTP/1.1 exchange left it keep-alive with
    /// nothing pending.
    bool reusable() const noexcept { return state_ == connection_state::ready; }

    connection_state state() const noexcept { return state_; }

    /// True once async_open got as far as the TLS handshake with the server.
    bool reached_handshake() const noexcept { return reached_handshake_; }

    /// When it was last put back into the pool (HTTP/2: when its last stream ended).
    clock::time_point idle_since{};

    /// While shared: calls granted by the pool and not yet given back (under the engine's mutex).
    std::size_t streams = 0;

    /// The call whose attempt uses the connection; touched on the connection's strand only,
    /// so that an interruption meant for one call never reaches the next.
    const void* holder = nullptr;

  private:
    using tcp = boost::asio::ip::tcp;
    static constexpr auto use_tuple =
        boost::asio::as_tuple(boost::asio::use_awaitable_t<Executor>{});

    task<boost::system::error_code> open_steps(const endpoint& ep, const proxy_route* via);
    task<void> say_goodbye(std::shared_ptr<connection> self);
    bool closed() const noexcept { return state_ == connection_state::closed; }

    boost::asio::ip::basic_resolver<tcp, Executor> resolver_;
    std::unique_ptr<tls_stream<Executor>> proxy_tls_;  // with an https proxy: under stream_
    tls_stream<Executor> stream_;
    timer_type open_timer_;
    connection_state state_ = connection_state::unopened;
    boost::system::error_code fault_;  // why it was closed, or why HTTP/1.1 found it unusable
    bool reached_handshake_ = false;   // for reports: how far the open got
    int proxy_status_ = 0;
    h2_limits h2_limits_;
    std::size_t max_streams_;
    std::chrono::milliseconds goodbye_limit_;
    std::unique_ptr<channel<Executor>> channel_;  // once opened: what the server selected
};

}  // namespace stytch::detail

#include "driver/connection_goodbye.hpp"
#include "driver/connection_open.hpp"
