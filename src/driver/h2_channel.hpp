#pragma once

// HTTP/2 over one connection's TLS stream (see channel.hpp): drives the sans-io h2_session
// (protocol/h2_session.hpp) with one reader and one writer, and hands each finished stream to
// the attempt waiting for it; an attempt's own steps are in h2_channel_attempt.hpp. Everything
// here runs on the connection's strand; only accepting() and capacity() are read from
// elsewhere (the pool, under the engine's mutex), hence atomics.
//
// The reader reads only while a stream waits for its answer, so an idle pool holds no pending
// operation (io_context::run() returns, as with HTTP/1.1). Frames that arrive while nothing
// waits (a GOAWAY, a PING) are read when the connection is next used, before its answer.

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/system/error_code.hpp>

#include <nghttp2/nghttp2.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <list>
#include <memory>
#include <span>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include <stytch/error.hpp>

#include "driver/channel.hpp"
#include "protocol/h2_session.hpp"
#include "transport/tls_stream.hpp"

namespace stytch::detail {

template <class Executor>
class h2_channel final : public channel<Executor> {
  public:
    template <class T>
    using task = boost::asio::awaitable<T, Executor>;
    using clock = std::chrono::steady_clock;
    using timer_type =
        boost::asio::basic_waitable_timer<clock, boost::asio::wait_traits<clock>, Executor>;

    /// `stream` (the connection's, after the handshake) outlives the channel.
    h2_channel(tls_stream<Executor>& stream, const h2_limits& limits, std::size_t stream_cap)
        : stream_(stream),
          session_(limits),
          stream_cap_(std::max<std::size_t>(stream_cap, 1)),
          ping_timer_(stream.socket().get_executor()) {
        publish();
    }

    bool shared() const noexcept override { return true; }

    /// On a pooled connection, first checks that the server is still there (see
    /// h2_channel_attempt.hpp); then one stream.
    task<outcome> async_attempt(attempt_context& a, std::shared_ptr<void> owner) override;

    /// A connection found dead before the request went out.
    boost::system::error_code closes_after(const outcome& o) const noexcept override {
        return o.unsent && o.verdict == verdict::requeue_stale ? o.ec : boost::system::error_code{};
    }

    bool interrupt(const void* who, const std::shared_ptr<void>& owner) override {
        cancel(who, owner);
        return true;
    }

    void release_buffers() noexcept override {}

    /// Sends the request `fields` on a new stream and waits for it to finish. `who` names the
    /// waiter for cancel(); `owner` keeps the connection alive while the reader and the writer
    /// run. A session that takes no new stream gives `not_processed` at once.
    task<h2_result> async_request(std::span<const header_field> fields, const void* who,
                                  std::shared_ptr<void> owner) {
        namespace asio = boost::asio;
        const std::int32_t id = session_.submit(fields);
        if (id == 0) {
            publish();
            h2_result r;
            r.outcome = h2_outcome::not_processed;
            co_return r;
        }
        co_return co_await wait(id, who, std::move(owner));
    }

    /// When the server last sent anything (or when the channel began).
    clock::time_point last_heard() const noexcept { return last_heard_; }

    /// Sends a PING and waits for its acknowledgement until `give_up_at`: `answered` when it
    /// came, `cancelled` when cancel(who) ended the wait, `connection_error` otherwise.
    /// Callers that ask while a PING is out wait for that one.
    task<h2_outcome> async_ping(clock::time_point give_up_at, const void* who,
                                std::shared_ptr<void> owner) {
        if (session_.pings_acknowledged() >= pings_sent_) {
            session_.ping();
            ++pings_sent_;
        }
        if (ping_waiters_.empty()) {  // the first to wait for this PING: no timer runs for it
            ping_timer_.expires_at(give_up_at);
            ping_timer_.async_wait([this, owner](boost::system::error_code ec) {
                if (!ec) {
                    end_pings(h2_outcome::connection_error);  // no answer in time
                    release();
                }
            });
        }
        const h2_result r = co_await wait(0, who, std::move(owner));
        co_return r.outcome;
    }

    /// Ends the stream `who` waits for with RST_STREAM CANCEL (or its wait for a PING); its
    /// wait ends with `cancelled`. The connection and its other streams go on.
    /// Searches all waiters: rare (a cancellation), unlike a stream's end.
    void cancel(const void* who, const std::shared_ptr<void>& owner) {
        const auto by_who = [who](const waiter& w) { return w.who == who; };
        const auto stream = std::find_if(streams_.begin(), streams_.end(),
                                         [&](const auto& entry) { return by_who(entry.second); });
        const auto ping = std::find_if(ping_waiters_.begin(), ping_waiters_.end(), by_who);
        if (stream != streams_.end()) {
            session_.cancel(stream->first);  // its end resumes it, in deliver()
        } else if (ping != ping_waiters_.end()) {
            h2_result r;
            r.outcome = h2_outcome::cancelled;
            ready_.emplace_back(std::move(ping->handler), std::move(r));  // released by deliver()
            ping_waiters_.erase(ping);
            if (ping_waiters_.empty()) {
                ping_timer_.cancel();  // nobody waits: it would hold the io_context busy
            }
        } else {
            return;
        }
        deliver();
        flush(owner);
        stop_reading_when_unused();
    }

    /// The connection is gone: every waiting stream ends (`connection_error` or, above a
    /// GOAWAY's last_stream_id, `not_processed`).
    void connection_lost(boost::system::error_code why) override {
        if (!transport_error_) {
            transport_error_ = why;
        }
        session_.connection_lost();
        deliver();
    }

    /// The execution context is being destroyed: the waiters (each an attempt's coroutine,
    /// which holds the connection) are destroyed without being resumed.
    void abandon() noexcept override {
        auto streams = std::exchange(streams_, {});
        auto pings = std::exchange(ping_waiters_, {});
        auto ready = std::exchange(ready_, {});
    }

    /// Says goodbye: GOAWAY NO_ERROR (see h2_session::go_away), written once no frame is on
    /// its way, so that it is the last frame. For a polite close of a connection the pool let
    /// go; the session takes no stream from then on. Completes once written (or failed).
    task<boost::system::error_code> async_go_away() override;

    /// True while the session takes new streams (read by the pool).
    bool accepting() const noexcept override { return accepting_.load(std::memory_order_relaxed); }
    /// How many streams the pool may grant at once: the server's
    /// SETTINGS_MAX_CONCURRENT_STREAMS, at most the configured cap (read by the pool).
    std::size_t capacity() const noexcept override {
        return capacity_.load(std::memory_order_relaxed);
    }
    /// Streams waiting for an answer (on the strand).
    std::size_t in_flight() const noexcept { return streams_.size() + ping_waiters_.size(); }
    /// Why the connection failed, for its streams that ended with `connection_error`:
    /// `error::http2_protocol_error` when the server broke HTTP/2 (even if the socket failed
    /// afterwards), else the transport's error (an EOF as `http::error::end_of_stream`).
    boost::system::error_code failure() const noexcept {
        if (session_.broken_by_peer()) {
            return error::http2_protocol_error;
        }
        if (transport_error_ && transport_error_ != boost::asio::error::eof) {
            return transport_error_;
        }
        return boost::beast::http::error::end_of_stream;
    }

  private:
    // With no stream in flight: true when the server has closed or reset the connection with
    // nothing before the end (seen without reading: a peek at the socket). Frames it sent
    // while the connection idled (a GOAWAY) are left for the reader.
    bool peer_closed() noexcept;

    // The reader's life: `stopping` once its pending read was cancelled on purpose; a read that
    // completes (aborted or not) makes it `running` again, and it ends when nothing waits.
    enum class reader_state { stopped, running, stopping };

    // An attempt waiting for its stream's end or a PING's answer; `who` names it for cancel().
    // Kept in node-based containers: never moved once in place (any_completion_handler of
    // Boost 1.81 has no move assignment and would wrap itself in a new handler instead).
    struct waiter {
        using handler_type = boost::asio::any_completion_handler<void(h2_result)>;
        waiter(const void* w, handler_type h) : who(w), handler(std::move(h)) {}

        const void* who;
        handler_type handler;
    };

    // Waits for the end of stream `stream_id` or, when it is 0, a PING's answer; the reader
    // runs meanwhile. Not a coroutine itself (one coroutine frame less per call): the
    // initiation runs when awaited, so it holds copies of the arguments.
    task<h2_result> wait(std::int32_t stream_id, const void* who, std::shared_ptr<void> owner);

    // Resumes the batch in one posted operation (one per read, not one per stream): a waiter
    // never runs inside the reader's step. The operation owns the handlers, so an io_context
    // destroyed before it runs destroys them.
    void release();

    // Ends the waits for PINGs with `outcome`. Nothing to do (the common case, on every read)
    // when no PING was sent since the last end and none is awaited.
    void end_pings(h2_outcome outcome);

    // The reader: feeds what arrives to the session, resumes the finished streams' waiters,
    // and stops once none is left (or the connection failed).
    task<void> read_loop(std::shared_ptr<void> owner);

    // The writer: one at a time; whoever produced output starts it, a running one takes
    // whatever was produced meanwhile.
    void flush(const std::shared_ptr<void>& owner);

    task<void> write_loop([[maybe_unused]] std::shared_ptr<void> keep_alive);

    // A session that reads no more (a connection error sent or received, or a GOAWAY and no
    // stream left) closes the socket as soon as its last bytes (the GOAWAY) are written: RFC
    // 9113 §5.4.1, and no server keeps a dead connection's resources.
    void close_when_ended();

    // Resumes the waiters of finished streams, and of PINGs answered (or never to be).
    void deliver();

    // With nothing left to wait for, a pending read would hold the io_context (and the
    // connection) busy until the server next speaks: cancel it, unless a record is being
    // written (cancelling would cut it; the writer calls this again when done).
    void stop_reading_when_unused();

    // A server that allows 0 streams takes no call: the pool then lets the connection go
    // with its last stream instead of keeping a slot no call can use.
    void publish() noexcept {
        const std::size_t capacity =
            std::min<std::size_t>(session_.max_concurrent_streams(), stream_cap_);
        accepting_.store(session_.state() == h2_state::open && capacity != 0,
                         std::memory_order_relaxed);
        capacity_.store(capacity, std::memory_order_relaxed);
    }

    tls_stream<Executor>& stream_;
    h2_session session_;
    std::size_t stream_cap_;
    std::unordered_map<std::int32_t, waiter> streams_;  // by stream id: found per frame batch
    // The nodes of finished streams, for the next ones (at most as many as were open at once).
    std::vector<typename std::unordered_map<std::int32_t, waiter>::node_type> spare_waiters_;
    std::list<waiter> ping_waiters_;                                          // all end together
    std::vector<std::pair<typename waiter::handler_type, h2_result>> ready_;  // see release()
    boost::system::error_code transport_error_;  // the first, when the connection was lost
    timer_type ping_timer_;
    std::uint64_t pings_sent_ = 0;
    std::uint64_t pings_ended_ = 0;  // pings_sent_ when end_pings() last ran
    clock::time_point last_heard_ = clock::now();
    std::string output_;
    std::array<char, 16 * 1024> input_;
    reader_state reader_ = reader_state::stopped;
    bool writing_ = false;
    bool socket_closed_ = false;  // by close_when_ended()
    std::atomic<bool> accepting_{true};
    std::atomic<std::size_t> capacity_{1};
};

}  // namespace stytch::detail

#include "driver/h2_channel_attempt.hpp"
#include "driver/h2_channel_io.hpp"
