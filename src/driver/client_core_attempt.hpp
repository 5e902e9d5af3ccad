#pragma once

// One attempt of a call, on its connection's strand (see client_core.hpp): open the connection
// if it is new, check that it is quiet, write, read, judge the answer; then give the
// connection back and decide what comes next — done, a replacement connection, or a backoff.

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
            o.reused = o.stale = o.unsent = o.unprocessed = o.retryable = true;
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
    if (c.abort_reason) {
        return false;
    }
    c.conn = conn;
    return true;
}

template <class Executor>
bool client_core<Executor>::may_write(call_type& c, const connection_ptr& conn) {
    lock held(mutex_);
    if (c.abort_reason) {
        return false;
    }
    c.conn = conn;
    c.state = next(c.state, call_event::writing).state;
    c.written = true;  // from here on the server may act on the request
    return true;
}

// On the connection's strand, after every attempt.
template <class Executor>
void client_core<Executor>::finish_attempt(const call_ptr& c, const connection_ptr& conn,
                                           outcome o) {
    conn->holder = nullptr;
    const bool may_retry = o.retryable && c->attempt < cfg_.retry.max_attempts;
    std::optional<std::chrono::milliseconds> asked;  // parsed outside the mutex
    if (!o.retry_after.empty()) {                    // rare: for the retry and for attempt_info
        asked = parse_retry_after(o.retry_after, std::chrono::system_clock::now());
    }
    const auto given_back = conn->state();  // before closing: why it is discarded
    // An HTTP/1.1 connection out of step would give every later call the answer before its
    // own: it goes, even though its framing looks fine.
    const bool out_of_step = o.out_of_step;
    if (!conn->multiplexed() && (out_of_step || !conn->reusable())) {
        conn->close();  // the system call outside the mutex; the pool frees its slot
    }
    // A pooled connection refused before writing, or a request the server did not take up,
    // is no attempt.
    const bool is_attempt = !(o.unsent && (o.stale || o.unprocessed));
    std::optional<attempt_info> info;
    settled next;
    {
        lock held(mutex_);
        if (is_attempt) {
            ++stats_.attempts;
            ++c->attempts_made;
        }
        if (c->abort_reason) {
            auto phase = o.phase;
            o = outcome{c->abort_reason};  // what the attempt saw was the abort's doing
            o.phase = phase;
            o.out_of_step = out_of_step;  // the connection was closed all the same
        }
        if (cfg_.on_attempt && is_attempt) {
            info = report(*c, o, asked);
        }
        next = settle(*c, conn, given_back, o, may_retry, asked);
    }
    if (info) {
        cfg_.on_attempt(*info);  // outside the mutex: the hook may take its own locks
    }
    if (next.done) {
        deliver(std::move(*next.done));
    }
    if (next.next_call) {
        run_attempt(std::move(*next.next_call));
    }
    if (next.again) {
        run_attempt(std::move(*next.again));
    }
    if (next.action == call_action::start_attempt) {
        run_attempt({c, nullptr});
    }
}

// Under the mutex: what follows an attempt, for this call and for the connection.
template <class Executor>
auto client_core<Executor>::settle(call_type& c, const connection_ptr& conn,
                                   connection_state given_back, outcome& o, bool may_retry,
                                   std::optional<std::chrono::milliseconds> asked) -> settled {
    const auto now = clock::now();
    settled out;
    c.conn = nullptr;
    call_event event = call_event::finished;
    clock::time_point resume;
    // An aborted call finishes, with the reason finish_attempt() put into `o`. Transparent
    // retries are bounded: each discards a connection or was a server's refusal; a call is
    // sent again once after an answer for another organization (a second one ends it).
    if (o.out_of_step) {
        ++stats_.connections_discarded.out_of_step;
    }
    if (!c.abort_reason && o.out_of_step && !c.resent_out_of_step) {
        // The stray answer came in place of this call's: the same request once more, at once,
        // on a new connection in the same pool slot (a DELETE may be repeated).
        c.resent_out_of_step = true;
        event = call_event::replace_connection;
        c.attempt_started = now;
        ++stats_.retries.out_of_step;
    } else if (!c.abort_reason && (o.stale || o.unprocessed) &&
               c.replaced++ < cfg_.max_connections) {
        if (o.unprocessed) {
            // HTTP/2: the server did not take the request up, or a shared connection was
            // found dead; any connection will do.
            event = call_event::not_processed;
        } else {
            // A pooled connection the server closed while idle: replaced at once, in the same
            // pool slot.
            event = call_event::replace_connection;
            c.attempt_started = now;
        }
        if (o.stale) {
            ++stats_.retries.stale_connection;
            if (!conn->multiplexed()) {
                ++stats_.connections_discarded.stale;
            }
        } else {
            ++stats_.retries.not_processed;
        }
    } else if (!c.abort_reason && may_retry) {
        resume = saturating_add(now, retry_delay(c.attempt, asked));
        if (resume < c.deadline) {
            event = call_event::retry_later;
        }
    }
    if (event != call_event::replace_connection) {
        if (!conn->multiplexed()) {
            if (!o.out_of_step) {  // counted above
                count_discard(stats_.connections_discarded, given_back, o.open_failed, closed_);
            }
        } else if (conn->streams == 1 && (closed_ || !conn->accepting())) {
            // A shared connection goes with its last stream (on its strand, so accepting()
            // cannot change meanwhile): found dead, or done after a GOAWAY or a failure.
            count_discard(stats_.connections_discarded,
                          o.stale ? connection_state::silent_failure : connection_state::spent,
                          false, closed_);
        }
        if (auto g = pool_.release(conn, now)) {
            out.next_call = on_grant(*g);
        }
    }
    auto step = next(c.state, event);
    c.state = step.state;
    out.action = step.action;
    if (step.action == call_action::requeue) {
        c.queued_at = now;
        if (auto g = pool_.request(c, now)) {
            out.again = on_grant(*g);
        }
    } else if (step.action == call_action::arm_backoff) {
        c.last = std::move(o);
        c.backoff.expires_at(resume);
        c.backoff.async_wait([self = this->shared_from_this(), c = c.self](error_code ec) {
            if (!ec) {
                self->on_backoff_elapsed(*c);
            }
        });
    } else if (step.action == call_action::complete) {
        out.done = detach(c, std::move(o));
    }
    return out;
}

template <class Executor>
void client_core<Executor>::on_backoff_elapsed(call_type& c) {
    std::optional<launch> go;
    {
        lock held(mutex_);
        if (c.state != call_state::backing_off) {
            return;  // aborted meanwhile
        }
        // The timer may wake late: no attempt starts after the deadline; the last outcome
        // stands.
        const auto step = next(c.state, clock::now() >= c.deadline ? call_event::past_deadline
                                                                   : call_event::backoff_elapsed);
        c.state = step.state;
        if (step.action == call_action::complete) {
            deliver(detach(c, std::move(c.last)));
            return;
        }
        ++c.attempt;
        ++(c.last.http_status != 0 ? stats_.retries.status : stats_.retries.transport);
        c.queued_at = clock::now();
        if (auto g = pool_.request(c, c.queued_at)) {
            go = on_grant(*g);
        }
    }
    if (go) {
        run_attempt(std::move(*go));
    }
}

// Under the mutex (the jitter's generator is shared). `asked`: the answer's Retry-After.
template <class Executor>
std::chrono::milliseconds client_core<Executor>::retry_delay(
    std::size_t attempt_no, std::optional<std::chrono::milliseconds> asked) {
    if (asked) {
        return *asked;
    }
    std::uniform_int_distribution<std::chrono::milliseconds::rep> pick(
        0, backoff_bound(cfg_.retry, attempt_no).count());
    return std::chrono::milliseconds(pick(jitter_));
}

// Under the mutex, with the outcome the caller would see.
template <class Executor>
attempt_info client_core<Executor>::report(const call_type& c, const outcome& o,
                                           std::optional<std::chrono::milliseconds> asked) {
    attempt_info info;
    info.attempt = c.attempt;
    info.result = o.ec;
    info.http_status = o.http_status;
    info.latency =
        std::chrono::duration_cast<std::chrono::microseconds>(clock::now() - c.attempt_started);
    info.reused_connection = o.reused;
    info.phase = o.phase;
    info.request_id = o.details.request_id.empty() ? c.response.request_id : o.details.request_id;
    info.retry_after = asked;
    return info;
}

}  // namespace stytch::detail
