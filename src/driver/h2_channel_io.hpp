#pragma once

// The h2_channel's I/O (see h2_channel.hpp, which includes this file at its end): the waits of
// the attempts, the one reader and the one writer, and the hand-over of finished streams.

#include "driver/h2_channel.hpp"

namespace stytch::detail {

template <class Executor>
auto h2_channel<Executor>::wait(std::int32_t stream_id, const void* who,
                                std::shared_ptr<void> owner) -> task<h2_result> {
    namespace asio = boost::asio;
    return asio::async_initiate<const asio::use_awaitable_t<Executor>&, void(h2_result)>(
        [this, stream_id, who, owner = std::move(owner)](auto handler) {
            if (stream_id == 0) {
                ping_waiters_.emplace_back(who, std::move(handler));
            } else {
                if (spare_waiters_.empty()) {
                    streams_.try_emplace(stream_id, who, std::move(handler));
                } else {
                    auto node = std::move(spare_waiters_.back());
                    spare_waiters_.pop_back();
                    node.key() = stream_id;
                    node.mapped().who = who;
                    // Swapped in: Boost 1.81's move assignment of any_completion_handler
                    // wraps its source again and again until the stack overflows.
                    typename waiter::handler_type h(std::move(handler));
                    node.mapped().handler.swap(h);
                    streams_.insert(std::move(node));
                }
            }
            flush(owner);
            if (reader_ == reader_state::stopped) {
                reader_ = reader_state::running;
                asio::co_spawn(stream_.socket().get_executor(), read_loop(owner), asio::detached);
            }
        },
        asio::use_awaitable_t<Executor>{});
}

template <class Executor>
void h2_channel<Executor>::release() {
    if (ready_.empty()) {
        return;
    }
    boost::asio::post(stream_.socket().get_executor(),
                      [batch = std::exchange(ready_, {})]() mutable {
                          for (auto& [handler, result] : batch) {
                              std::move(handler)(std::move(result));
                          }
                      });
}

template <class Executor>
void h2_channel<Executor>::end_pings(h2_outcome outcome) {
    if (ping_waiters_.empty() && pings_ended_ == pings_sent_) {
        return;
    }
    pings_ended_ = pings_sent_;
    ping_timer_.cancel();
    for (auto& w : ping_waiters_) {
        h2_result r;
        r.outcome = outcome;
        ready_.emplace_back(std::move(w.handler), std::move(r));
    }
    ping_waiters_.clear();
}

template <class Executor>
auto h2_channel<Executor>::read_loop(std::shared_ptr<void> owner) -> task<void> {
    while (in_flight() != 0) {
        auto [ec, n] = co_await stream_.async_read_some(boost::asio::buffer(input_));
        const bool stopped =
            std::exchange(reader_, reader_state::running) == reader_state::stopping;
        if (ec == boost::asio::error::operation_aborted && stopped) {
            continue;  // stop_reading_when_unused(); a stream submitted since keeps reading
        }
        if (ec) {
            connection_lost(ec);
        } else {
            last_heard_ = clock::now();
            session_.receive(std::string_view(input_.data(), n));
        }
        deliver();
        flush(owner);
        if (ec) {
            break;
        }
    }
    reader_ = reader_state::stopped;
}

template <class Executor>
void h2_channel<Executor>::flush(const std::shared_ptr<void>& owner) {
    if (writing_) {
        close_when_ended();  // a failed transport: the writer may be stuck on it
        return;
    }
    output_.clear();
    session_.take_output(output_);
    // Sending can end streams: nghttp2 closes a stream it resets for a malformed answer
    // when its RST_STREAM leaves, and fails the connection once its GOAWAY has left.
    deliver();
    if (output_.empty()) {
        close_when_ended();
        return;
    }
    writing_ = true;
    boost::asio::co_spawn(stream_.socket().get_executor(), write_loop(owner),
                          boost::asio::detached);
}

template <class Executor>
auto h2_channel<Executor>::write_loop([[maybe_unused]] std::shared_ptr<void> keep_alive)
    -> task<void> {
    while (!output_.empty()) {
        auto [ec, n] = co_await stream_.async_write(output_);
        output_.clear();
        if (ec) {
            // The reader sees the same failure; if none is running, end the streams here.
            if (reader_ == reader_state::stopped) {
                connection_lost(ec);
            }
            break;
        }
        session_.take_output(output_);
        deliver();  // see flush()
    }
    writing_ = false;
    publish();
    close_when_ended();
    stop_reading_when_unused();
}

template <class Executor>
void h2_channel<Executor>::close_when_ended() {
    // A failed transport needs no last bytes: a writer stuck on it must not keep it open.
    if (session_.state() == h2_state::closed && (!writing_ || transport_error_) &&
        !socket_closed_) {
        socket_closed_ = true;
        boost::system::error_code ignored;
        stream_.socket().close(ignored);
    }
}

template <class Executor>
void h2_channel<Executor>::deliver() {
    auto& finished = session_.finished();
    for (auto& r : finished) {
        if (const auto it = streams_.find(r.stream_id); it != streams_.end()) {
            ready_.emplace_back(std::move(it->second.handler), std::move(r));
            spare_waiters_.push_back(streams_.extract(it));
        }
    }
    finished.clear();
    if (session_.state() == h2_state::closed) {
        end_pings(h2_outcome::connection_error);
    } else if (session_.pings_acknowledged() >= pings_sent_) {
        end_pings(h2_outcome::answered);
    }
    release();
    publish();
}

template <class Executor>
void h2_channel<Executor>::stop_reading_when_unused() {
    if (reader_ == reader_state::running && in_flight() == 0 && !writing_ && !stream_.writing()) {
        reader_ = reader_state::stopping;
        boost::system::error_code ignored;
        stream_.socket().cancel(ignored);
    }
}

template <class Executor>
auto h2_channel<Executor>::async_go_away() -> task<boost::system::error_code> {
    namespace asio = boost::asio;
    // Rare: a frame (a reset, an acknowledgement) is still being written. The caller
    // bounds the wait: closing the connection ends that write.
    timer_type pause(stream_.socket().get_executor());
    while (writing_ || stream_.writing()) {
        pause.expires_after(std::chrono::milliseconds(1));
        co_await pause.async_wait(asio::as_tuple(asio::use_awaitable_t<Executor>{}));
    }
    session_.go_away();
    std::string out;
    session_.take_output(out);
    publish();
    if (out.empty()) {
        co_return boost::system::error_code{};  // closed already: nothing to say
    }
    writing_ = true;  // flush() starts no writer meanwhile
    auto [ec, n] = co_await stream_.async_write(out);
    writing_ = false;
    co_return ec;
}

}  // namespace stytch::detail
