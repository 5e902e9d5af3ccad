#pragma once

// One attempt's steps on an HTTP/2 connection (see h2_channel.hpp, which includes this file at
// its end): on a pooled connection, first whether the server is still there; then one stream.

#include <sys/socket.h>

#include <cerrno>

#include "base/time_arith.hpp"
#include "driver/h2_channel.hpp"

namespace stytch::detail {

template <class Executor>
auto h2_channel<Executor>::async_attempt(attempt_context& a, std::shared_ptr<void> owner)
    -> task<outcome> {
    // Before a request is risked on a pooled connection: the server may have closed it while
    // it idled (seen at the socket), or, quiet for a while, be gone without a word (a NAT
    // that dropped it), which a PING tells. Either way the call goes elsewhere, not an attempt.
    if (a.reused) {
        const auto now = clock::now();
        h2_outcome alive = h2_outcome::answered;
        if (peer_closed()) {
            alive = h2_outcome::connection_error;
        } else if (now >= saturating_add(last_heard_, a.cfg.h2_ping_after_idle)) {
            alive =
                a.gates.may_interrupt()
                    ? co_await async_ping(saturating_add(now, a.cfg.connect_timeout), a.who, owner)
                    : h2_outcome::cancelled;
        }
        if (alive != h2_outcome::answered) {
            outcome o(boost::beast::http::error::end_of_stream);
            o.phase = attempt_phase::waiting_for_connection;
            if (alive == h2_outcome::cancelled) {
                co_return o;  // the call was aborted: settle() gives the reason
            }
            o.reused = o.unsent = true;
            o.verdict = verdict::requeue_stale;  // closes_after() closes the connection
            co_return o;
        }
    }
    if (!a.gates.may_write()) {
        co_return not_written(a.reused);
    }
    // Views into the request and the encoder, which outlive the stream's submit().
    request_encoder::h2_field_array storage;
    h2_result r =
        co_await async_request(a.encoder.h2_fields(a.request, storage), a.who, std::move(owner));
    auto o = judge_stream(r, a.reused, failure(), a.response, a.cfg, a.requested());
    session_.recycle_body(std::move(r.body));  // decoded: its memory serves a later answer
    co_return o;
}

template <class Executor>
bool h2_channel<Executor>::peer_closed() noexcept {
    if (in_flight() != 0 || stream_.holds_input()) {
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

}  // namespace stytch::detail
