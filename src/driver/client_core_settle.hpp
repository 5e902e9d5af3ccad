#pragma once

// What follows an attempt (see client_core_attempt.hpp): the connection given back, the
// outcome counted and reported, and the call machine's next step performed — done, a
// replacement connection, the pool's queue again, or a backoff.

#include "driver/client_core.hpp"

namespace stytch::detail {

// On the connection's strand, after every attempt. Returns the next call granted this
// connection, for serve() to go on with.
template <class Executor>
auto client_core<Executor>::finish_attempt(const call_ptr& c, const connection_ptr& conn, outcome o)
    -> std::optional<launch> {
    conn->holder = nullptr;
    const bool attempts_left = c->attempt < cfg_.retry.max_attempts;  // if the verdict asks
    std::optional<std::chrono::milliseconds> asked;                   // parsed outside the mutex
    if (!o.retry_after.empty()) {  // rare: for the retry and for attempt_info
        asked = parse_retry_after(o.retry_after, std::chrono::system_clock::now());
    }
    const auto given_back = conn->state();  // before closing: why it is discarded
    const bool out_of_step = o.verdict == verdict::resend;
    conn->after_attempt(o);  // a close: the system call outside the mutex
    const bool is_attempt = o.counts_as_attempt();
    std::optional<attempt_info> info;
    settled next;
    {
        lock held(mutex_);
        if (is_attempt) {
            ++stats_.attempts;
            ++c->attempts_made;
        }
        if (c->state == call_state::aborting) {
            auto phase = o.phase;
            o = outcome{c->abort_reason};  // what the attempt saw was the abort's doing
            o.phase = phase;
            if (out_of_step) {
                o.verdict = verdict::resend;  // the connection was closed all the same: counted
            }
        }
        if (cfg_.on_attempt && is_attempt) {
            info = report(*c, o, asked);
        }
        next = settle(*c, conn, given_back, o, attempts_left, asked);
    }
    if (info) {
        cfg_.on_attempt(*info);  // outside the mutex: the hook may take its own locks
    }
    if (next.done) {
        deliver(std::move(*next.done));
    }
    if (next.again) {
        run_attempt(std::move(*next.again));
    }
    if (next.action == call_action::start_attempt) {
        run_attempt({c, pool_entry::to_open, nullptr});  // a new connection in the same slot
    }
    if (next.next_call && next.next_call->connection != conn) {
        run_attempt(std::move(*next.next_call));  // a new connection in the slot released
        next.next_call.reset();
    }
    return std::move(next.next_call);
}

// Under the mutex: what follows an attempt, for this call and for the connection.
template <class Executor>
auto client_core<Executor>::settle(call_type& c, const connection_ptr& conn,
                                   connection_state given_back, outcome& o, bool attempts_left,
                                   std::optional<std::chrono::milliseconds> asked) -> settled {
    const auto now = clock::now();
    settled out;
    c.conn = nullptr;
    call_event event = call_event::finished;
    clock::time_point resume;
    // An aborted call finishes, with the reason finish_attempt() put into `o`. Transparent
    // retries are bounded: each discards a connection or was a server's refusal; a call is
    // sent again once after an answer for another organization (a second one ends it).
    if (o.verdict == verdict::resend) {
        ++stats_.connections_discarded.out_of_step;
    }
    const enum verdict v = c.state == call_state::aborting ? verdict::final : o.verdict;
    bool retry = v == verdict::retry;
    switch (v) {
        case verdict::resend:
            if (!c.resent_out_of_step) {
                // The stray answer came in place of this call's: the same request once more,
                // at once, on a new connection in the same pool slot (a DELETE may be
                // repeated). A second one ends the call.
                c.resent_out_of_step = true;
                event = call_event::replace_connection;
                c.attempt_started = now;
                ++stats_.retries.out_of_step;
            }
            break;
        case verdict::replace:
        case verdict::requeue_stale:
        case verdict::requeue_refused:
            if (c.replaced++ >= cfg_.max_connections) {
                retry = true;  // the bound is spent: the retry policy decides
                break;
            }
            if (v == verdict::replace) {
                // A pooled connection the server closed while idle: replaced at once, in the
                // same pool slot.
                event = call_event::replace_connection;
                c.attempt_started = now;
                ++stats_.connections_discarded.stale;
            } else {
                // HTTP/2: the server did not take the request up, or a shared connection was
                // found dead; any connection will do.
                event = call_event::not_processed;
            }
            ++(o.stale() ? stats_.retries.stale_connection : stats_.retries.not_processed);
            break;
        case verdict::final:
        case verdict::retry:
            break;
    }
    if (retry && attempts_left) {
        resume = saturating_add(now, retry_delay(c.attempt, asked));
        if (resume < c.deadline) {
            event = call_event::retry_later;
        }
    }
    if (event != call_event::replace_connection) {
        if (!conn->shared()) {
            if (o.verdict != verdict::resend) {  // counted above
                count_discard(stats_.connections_discarded, given_back, o.open_failed, closed_);
            }
        } else if (conn->streams == 1 && (closed_ || !conn->accepting())) {
            // A shared connection goes with its last stream (on its strand, so accepting()
            // cannot change meanwhile): found dead, or done after a GOAWAY or a failure.
            count_discard(stats_.connections_discarded,
                          o.stale() ? connection_state::silent_failure : connection_state::spent,
                          false, closed_);
        }
        if (auto g = pool_.release(conn, now)) {
            out.next_call = on_grant(*g);
        }
    }
    out.action = advance(c.state, event);
    if (out.action == call_action::requeue) {
        c.queued_at = now;
        if (auto g = pool_.request(c, now)) {
            out.again = on_grant(*g);
        }
    } else if (out.action == call_action::arm_backoff) {
        c.last = std::move(o);
        if (!c.backoff) {
            c.backoff.emplace(c.executor);
        }
        c.backoff->expires_at(resume);
        c.backoff->async_wait([self = this->shared_from_this(), c = c.self](error_code ec) {
            if (!ec) {
                self->on_backoff_elapsed(*c);
            }
        });
    } else if (out.action == call_action::complete) {
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
        const auto action =
            advance(c.state, clock::now() >= c.deadline ? call_event::past_deadline
                                                        : call_event::backoff_elapsed);
        if (action == call_action::complete) {
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
    info.request_id =
        o.details && !o.details->request_id.empty() ? o.details->request_id : c.response.request_id;
    info.retry_after = asked;
    return info;
}

}  // namespace stytch::detail
