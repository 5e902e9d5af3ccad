#pragma once

// One attempt of a call, on its connection's strand (see client_core.hpp): open the connection
// if it is new, check that it is quiet, write, read, judge the answer; then give the
// connection back and decide what comes next — done, a replacement connection, or a backoff.

#include "client_core.hpp"

namespace stytch::detail {

template <class Executor>
void client_core<Executor>::run_attempt(call_ptr c, connection_ptr conn) {
    const bool reused = conn != nullptr;
    if (!conn) {
        conn = std::make_shared<connection_type>(asio::make_strand(inner_), tls_);
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
        {
            lock held(mutex_);
            if (c->abort_reason) {
                co_return outcome{};  // finish_attempt reports the reason
            }
            c->conn = conn;  // abort() can interrupt the open from here on
        }
        auto ec = co_await conn->async_open(endpoint_, proxy_ ? &*proxy_ : nullptr,
                                            saturating_add(clock::now(), cfg_.connect_timeout));
        if (ec) {
            co_return judge_open_failure(ec, conn->proxy_status());
        }
        {
            lock held(mutex_);  // once per new connection, beside a TLS handshake
            ++stats_.connections_opened;
        }
    }
    // The last moment to find out that the server spoke out of turn: whatever it sent would
    // otherwise be read as this request's answer.
    if (!conn->quiet()) {
        auto o = judge_exchange_failure(conn->fault(), reused, true);
        o.unsent = true;
        co_return o;
    }
    if (!may_write(*c, conn)) {
        co_return outcome{};
    }
    http_answer answer;
    auto ec = co_await conn->async_exchange(c->request, cfg_.max_response_body, answer);
    if (ec) {
        co_return judge_exchange_failure(ec, reused, conn->failed_without_answer());
    }
    // Decoded here, on the connection's strand, while the answer is in its buffers; straight
    // into the call's response, which is moved once more: into the handler.
    co_return judge_answer(answer, reused, c->response, cfg_);
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
    // A pooled connection refused before writing is no attempt.
    const bool is_attempt = !(o.unsent && o.stale);
    const bool open_failed = o.open_failed;
    if (is_attempt) {
        report(*c, o);
    }
    const auto now = clock::now();
    const bool may_retry = o.retryable && c->attempt < cfg_.retry.max_attempts;
    std::optional<std::chrono::milliseconds> asked;  // parsed outside the mutex
    if (may_retry && !o.retry_after.empty()) {
        asked = parse_retry_after(o.retry_after, std::chrono::system_clock::now());
    }
    lock held(mutex_);
    if (is_attempt) {
        ++stats_.attempts;
        ++c->attempts_made;
    }
    c->conn = nullptr;
    call_event event = call_event::finished;
    clock::time_point resume;
    if (c->abort_reason) {
        o = outcome{c->abort_reason};
    } else if (o.stale && c->replaced++ < cfg_.max_connections) {
        // A pooled connection the server closed while idle: replaced at once, in the same
        // pool slot, bounded since each try discards one connection.
        event = call_event::replace_connection;
    } else if (may_retry) {
        resume = saturating_add(now, retry_delay(c->attempt, asked));
        if (resume < c->deadline) {
            event = call_event::retry_later;
        }
    }
    std::optional<grant> g;
    if (event == call_event::replace_connection) {
        conn->close();
        ++stats_.connections_discarded.stale;
        ++stats_.retries.stale_connection;
        c->attempt_started = now;
    } else {
        count_discard(stats_.connections_discarded, conn->state(), open_failed, closed_);
        g = pool_.release(conn, now);
    }
    auto step = next(c->state, event);
    c->state = step.state;
    if (step.action == call_action::arm_backoff) {
        c->last = std::move(o);
        c->backoff.expires_at(resume);
        c->backoff.async_wait([self = this->shared_from_this(), c](error_code ec) {
            if (!ec) {
                self->on_backoff_elapsed(*c);
            }
        });
    } else if (step.action == call_action::complete) {
        complete(*c, std::move(o));
    }
    std::optional<grant> go;
    if (g) {
        go = on_grant(*g);
    }
    held.unlock();
    if (go) {
        run_attempt(go->call->self, std::move(go->connection));
    }
    if (step.action == call_action::start_attempt) {
        run_attempt(c, nullptr);
    }
}

template <class Executor>
void client_core<Executor>::on_backoff_elapsed(call_type& c) {
    lock held(mutex_);
    if (c.state != call_state::backing_off) {
        return;  // aborted meanwhile
    }
    if (clock::now() >= c.deadline) {
        // The timer woke late: no attempt starts after the deadline; the last outcome stands.
        c.state = next(c.state, call_event::abort).state;
        complete(c, std::move(c.last));
        return;
    }
    c.state = next(c.state, call_event::backoff_elapsed).state;
    ++c.attempt;
    ++(c.last.http_status != 0 ? stats_.retries.status : stats_.retries.transport);
    c.queued_at = clock::now();
    if (auto g = pool_.request(c, c.queued_at)) {
        auto go = on_grant(*g);
        held.unlock();
        run_attempt(go.call->self, std::move(go.connection));
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

template <class Executor>
void client_core<Executor>::report(const call_type& c, const outcome& o) {
    if (!cfg_.on_attempt) {
        return;
    }
    attempt_info info;
    info.attempt = c.attempt;
    info.result = o.ec;
    info.http_status = o.http_status;
    info.latency =
        std::chrono::duration_cast<std::chrono::microseconds>(clock::now() - c.attempt_started);
    info.reused_connection = o.reused;
    cfg_.on_attempt(info);
}

}  // namespace stytch::detail
