#pragma once

// HTTP/2 over one connection's TLS stream: drives the sans-io h2_session (net/h2_session.hpp)
// with one reader and one writer, and hands each finished stream to the attempt waiting for it.
// Everything here runs on the connection's strand; only accepting() and capacity() are read
// from elsewhere (the pool, under the engine's mutex), hence atomics.
//
// The reader reads only while a stream waits for its answer, so an idle pool holds no pending
// operation (io_context::run() returns, as with HTTP/1.1). Frames that arrive while nothing
// waits (a GOAWAY, a PING) are read when the connection is next used, before its answer.

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/system/error_code.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstddef>
#include <list>
#include <memory>
#include <span>
#include <string>
#include <utility>

#include "net/h2_session.hpp"
#include "net/tls_stream.hpp"

namespace stytch::detail {

template <class Executor>
class h2_channel {
  public:
    template <class T>
    using task = boost::asio::awaitable<T, Executor>;

    /// `stream` (the connection's, after the handshake) outlives the channel.
    h2_channel(tls_stream<Executor>& stream, const h2_limits& limits, std::size_t stream_cap)
        : stream_(stream), session_(limits), stream_cap_(std::max<std::size_t>(stream_cap, 1)) {
        publish();
    }

    /// Sends the request `fields` on a new stream and waits for it to finish. `who` names the
    /// waiter for cancel(); `owner` keeps the connection alive while the reader and the writer
    /// run. A session that takes no new stream gives `not_processed` at once.
    task<h2_result> async_request(std::span<const h2_field> fields, const void* who,
                                  std::shared_ptr<void> owner) {
        namespace asio = boost::asio;
        const std::int32_t id = session_.submit(fields);
        if (id == 0) {
            publish();
            h2_result r;
            r.outcome = h2_outcome::not_processed;
            co_return r;
        }
        co_return co_await asio::async_initiate<const asio::use_awaitable_t<Executor>&,
                                                void(h2_result)>(
            [&](auto handler) {
                waiters_.emplace_back(id, who, std::move(handler));
                flush(owner);
                if (!reading_) {
                    reading_ = true;
                    asio::co_spawn(stream_.socket().get_executor(), read_loop(owner),
                                   asio::detached);
                }
            },
            asio::use_awaitable_t<Executor>{});
    }

    /// Ends the stream `who` waits for with RST_STREAM CANCEL; its wait ends with `cancelled`.
    /// The connection and its other streams go on.
    void cancel(const void* who, const std::shared_ptr<void>& owner) {
        const auto it = std::find_if(waiters_.begin(), waiters_.end(),
                                     [who](const waiter& w) { return w.who == who; });
        if (it == waiters_.end()) {
            return;
        }
        session_.cancel(it->stream_id);
        deliver();
        flush(owner);
        stop_reading_when_unused();
    }

    /// The connection is gone: every waiting stream ends (`connection_error` or, above a
    /// GOAWAY's last_stream_id, `not_processed`).
    void connection_lost() {
        session_.connection_lost();
        deliver();
    }

    /// True while the session takes new streams (read by the pool).
    bool accepting() const noexcept { return accepting_.load(std::memory_order_relaxed); }
    /// How many streams the pool may grant at once: the server's
    /// SETTINGS_MAX_CONCURRENT_STREAMS, at most the configured cap (read by the pool).
    std::size_t capacity() const noexcept { return capacity_.load(std::memory_order_relaxed); }
    /// Streams waiting for an answer (on the strand).
    std::size_t in_flight() const noexcept { return waiters_.size(); }
    /// Why the session failed: nghttp2's error, 0 when it did not.
    int session_error() const noexcept { return session_.connection_error(); }

  private:
    // Kept in a list: never moved once in place (any_completion_handler of Boost 1.81 has no
    // move assignment and would wrap itself in a new handler instead).
    struct waiter {
        using handler_type = boost::asio::any_completion_handler<void(h2_result)>;
        waiter(std::int32_t id, const void* w, handler_type h)
            : stream_id(id), who(w), handler(std::move(h)) {}

        std::int32_t stream_id;
        const void* who;
        handler_type handler;
    };

    // The reader: feeds what arrives to the session, resumes the finished streams' waiters,
    // and stops once none is left (or the connection failed).
    task<void> read_loop(std::shared_ptr<void> owner) {
        while (!waiters_.empty()) {
            auto [ec, n] = co_await stream_.async_read_some(boost::asio::buffer(input_));
            const bool stopped = std::exchange(stop_requested_, false);
            if (ec == boost::asio::error::operation_aborted && stopped) {
                continue;  // stop_reading_when_unused(); a stream submitted since keeps reading
            }
            if (ec) {
                session_.connection_lost();
            } else {
                session_.receive(std::string_view(input_.data(), n));
            }
            deliver();
            flush(owner);
            if (ec) {
                break;
            }
        }
        reading_ = false;
    }

    // The writer: one at a time; whoever produced output starts it, a running one takes
    // whatever was produced meanwhile.
    void flush(const std::shared_ptr<void>& owner) {
        if (writing_) {
            return;
        }
        output_.clear();
        session_.take_output(output_);
        publish();
        if (output_.empty()) {
            return;
        }
        writing_ = true;
        boost::asio::co_spawn(stream_.socket().get_executor(), write_loop(owner),
                              boost::asio::detached);
    }

    task<void> write_loop([[maybe_unused]] std::shared_ptr<void> keep_alive) {
        while (!output_.empty()) {
            auto [ec, n] = co_await stream_.async_write(output_);
            output_.clear();
            if (ec) {
                // The reader sees the same failure; if none is running, end the streams here.
                if (!reading_) {
                    connection_lost();
                }
                break;
            }
            session_.take_output(output_);
        }
        writing_ = false;
        publish();
        stop_reading_when_unused();
    }

    // Resumes the waiters of finished streams (posted: never inside the reader's step).
    void deliver() {
        for (auto& r : session_.take_finished()) {
            const auto it = std::find_if(waiters_.begin(), waiters_.end(), [&r](const waiter& w) {
                return w.stream_id == r.stream_id;
            });
            if (it == waiters_.end()) {
                continue;
            }
            auto handler = std::move(it->handler);
            waiters_.erase(it);
            boost::asio::post(stream_.socket().get_executor(),
                              [h = std::move(handler), r = std::move(r)]() mutable {
                                  std::move(h)(std::move(r));
                              });
        }
        publish();
    }

    // With nothing left to wait for, a pending read would hold the io_context (and the
    // connection) busy until the server next speaks: cancel it, unless a record is being
    // written (cancelling would cut it; the writer calls this again when done).
    void stop_reading_when_unused() {
        if (reading_ && waiters_.empty() && !writing_ && !stream_.writing()) {
            stop_requested_ = true;
            boost::system::error_code ignored;
            stream_.socket().cancel(ignored);
        }
    }

    void publish() noexcept {
        accepting_.store(session_.state() == h2_state::open, std::memory_order_relaxed);
        capacity_.store(std::min<std::size_t>(session_.max_concurrent_streams(), stream_cap_),
                        std::memory_order_relaxed);
    }

    tls_stream<Executor>& stream_;
    h2_session session_;
    std::size_t stream_cap_;
    std::list<waiter> waiters_;
    std::string output_;
    std::array<char, 16 * 1024> input_;
    bool reading_ = false;
    bool writing_ = false;
    bool stop_requested_ = false;  // the reader's pending read was cancelled on purpose
    std::atomic<bool> accepting_{true};
    std::atomic<std::size_t> capacity_{1};
};

}  // namespace stytch::detail
