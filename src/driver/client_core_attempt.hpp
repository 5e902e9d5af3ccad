#pragma once

// One attempt of a call, on its connection's strand (see client_core.hpp): open the connection
// if it is new, check that it is quiet, write, read, judge the answer (over HTTP/2: one stream
// on a shared connection). What follows it is in client_core_settle.hpp.

#include "driver/client_core.hpp"

namespace stytch::detail {

template <class Executor>
void client_core<Executor>::run_attempt(launch l) {
    auto c = std::move(l.call);
    auto conn = std::move(l.connection);
    const bool reused = conn != nullptr;
    if (!conn) {
        conn = std::make_shared<connection_type>(asio::make_strand(inner_), tls_, h2_limits_,
                                                 cfg_.max_streams_per_connection, goodbye_limit());
    }
    auto ex = conn->get_executor();
    // The completion runs on the connection's strand too (co_spawn's executor).
    asio::co_spawn(std::move(ex), attempt(c, conn, reused),
                   [self = this->shared_from_this(), c, conn](std::exception_ptr e, outcome o) {
                       if (e) {
                           // Only allocation failure can get here; report it, never throw out
                           // of the caller's io_context.
                           conn->close();
                           o = outcome(make_error_code(boost::system::errc::not_enough_memory));
                       }
                       self->finish_attempt(c, conn, std::move(o));
                   });
}

template <class Executor>
auto client_core<Executor>::attempt(call_ptr c, connection_ptr conn, bool reused) -> task<outcome> {
    conn->holder = c.get();
    if (!reused) {
        if (!may_interrupt(*c, conn)) {
            outcome o;  // settle() gives the reason
            o.phase = attempt_phase::waiting_for_connection;
            co_return o;
        }
        auto ec = co_await conn->async_open(endpoint_, proxy_ ? &*proxy_ : nullptr,
                                            saturating_add(clock::now(), cfg_.connect_timeout));
        if (ec) {
            co_return judge_open_failure(ec, conn->proxy_status(), conn->reached_handshake(),
                                         proxy_ ? authority(proxy_->proxy) : std::string());
        }
        on_opened(conn);
    }
    if (conn->multiplexed()) {
        co_return co_await exchange_h2(std::move(c), std::move(conn), reused);
    }
    // The last moment to find out that the server spoke out of turn: whatever it sent would
    // otherwise be read as this request's answer.
    if (!conn->quiet()) {
        auto o = judge_exchange_failure(conn->fault(), reused, true);
        o.unsent = true;
        co_return o;
    }
    if (!may_write(*c, conn)) {
        outcome o;  // settle() gives the reason
        o.phase = reused ? attempt_phase::waiting_for_connection : attempt_phase::tls_handshake;
        co_return o;
    }
    http_answer answer;
    auto ec = co_await conn->async_exchange(c->request, cfg_.max_response_body, answer);
    if (ec) {
        co_return judge_exchange_failure(ec, reused, conn->failed_without_answer());
    }
    // Decoded here, on the connection's strand, while the answer is in its buffers; straight
    // into the call's response, which is moved once more: into the handler.
    co_return judge_answer(answer, reused, c->response, cfg_,
                           encoder_.organization_segment(c->request));
}

// Once per new connection, beside a TLS handshake. An HTTP/2 connection is shared from now
// on: queued calls get streams on it at once. Either way the pool now knows the protocol, and
// the calls that waited for it to tell may open connections (see connection_pool.hpp).
template <class Executor>
void client_core<Executor>::on_opened(const connection_ptr& conn) {
    std::vector<launch> more;
    {
        lock held(mutex_);
        ++stats_.connections_opened;
        for (const auto& g : conn->multiplexed() ? pool_.share(conn) : pool_.learned_http1()) {
            more.push_back(on_grant(g));
        }
    }
    for (auto& l : more) {
        run_attempt(std::move(l));
    }
}

// One stream on a shared HTTP/2 connection, on its strand beside the other streams.
template <class Executor>
auto client_core<Executor>::exchange_h2(call_ptr c, connection_ptr conn, bool reused)
    -> task<outcome> {
    // Before a request is risked on a pooled connection: the server may have closed it while
    // it idled (seen at the socket), or, quiet for a while, be gone without a word (a NAT
    // that dropped it), which a PING tells. Either way the call goes elsewhere, not an attempt.
    if (reused) {
        const auto now = clock::now();
        h2_outcome alive = h2_outcome::answered;
        if (conn->peer_closed()) {
            alive = h2_outcome::connection_error;
        } else if (now >= saturating_add(conn->last_heard(), cfg_.h2_ping_after_idle)) {
            alive =
                may_interrupt(*c, conn)
                    ? co_await conn->async_ping(saturating_add(now, cfg_.connect_timeout), c.get())
                    : h2_outcome::cancelled;
        }
        if (alive != h2_outcome::answered) {
            outcome o(boost::beast::http::error::end_of_stream);
            o.phase = attempt_phase::waiting_for_connection;
            if (alive == h2_outcome::cancelled) {
                co_return o;  // the call was aborted: settle() gives the reason
            }
            conn->close(o.ec);
            o.reused = o.unsent = true;
            o.verdict = verdict::requeue_stale;
            co_return o;
        }
    }
    if (!may_write(*c, conn)) {
        outcome o;  // settle() gives the reason
        o.phase = reused ? attempt_phase::waiting_for_connection : attempt_phase::tls_handshake;
        co_return o;
    }
    // Views into c->request and encoder_, which outlive the stream's submit().
    request_encoder::h2_field_array storage;
    const h2_result r =
        co_await conn->async_request(encoder_.h2_fields(c->request, storage), c.get());
    co_return judge_stream(r, reused, conn->h2_failure(), c->response, cfg_,
                           encoder_.organization_segment(c->request));
}

// From now on abort() can interrupt what the call does on `conn` (an open, a PING); false
// when the call was aborted already.
template <class Executor>
bool client_core<Executor>::may_interrupt(call_type& c, const connection_ptr& conn) {
    lock held(mutex_);
    if (c.state == call_state::aborting) {
        return false;
    }
    c.conn = conn;
    return true;
}

template <class Executor>
bool client_core<Executor>::may_write(call_type& c, const connection_ptr& conn) {
    lock held(mutex_);
    if (c.state == call_state::aborting) {
        return false;
    }
    c.conn = conn;
    advance(c.state, call_event::writing);
    c.written = true;  // from here on the server may act on the request
    return true;
}

}  // namespace stytch::detail
