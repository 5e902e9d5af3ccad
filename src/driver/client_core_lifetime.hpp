#pragma once

// How calls end early and the client ends (see client_core.hpp): cancellation and aborts, the
// one deadline timer, close(), and context_lost(), which lets go of everything when the
// execution context is destroyed.

#include "driver/client_core.hpp"

namespace stytch::detail {

template <class Executor>
void client_core<Executor>::cancel(call_type& c, asio::cancellation_type type) {
    lock held(mutex_);
    if (!lost_.load(std::memory_order_relaxed) && honours(cancel_request_of(type), c.written)) {
        abort(c, asio::error::operation_aborted);
    }
}

// Under the mutex. The first reason wins; a call in an attempt finishes when the attempt ends.
template <class Executor>
void client_core<Executor>::abort(call_type& c, error_code reason) {
    const call_action action = advance(c.state, call_event::abort);
    if (action == call_action::none) {
        return;  // done, or aborting with an earlier reason
    }
    c.abort_reason = reason;
    switch (action) {
        case call_action::leave_queue:
            pool_.withdraw(c);
            c.waited += clock::now() - c.queued_at;
            deliver(detach(c, outcome{reason}));  // under the mutex: posting only
            break;
        case call_action::cancel_backoff:
            c.backoff->cancel();  // armed: call_action::cancel_backoff says so
            deliver(detach(c, outcome{reason}));
            break;
        case call_action::interrupt_io:
            if (c.conn) {
                // On the connection's strand, which owns the socket; over HTTP/1.1 the attempt
                // may have moved on to another call by then, which the connection tells.
                asio::post(c.conn->get_executor(), [conn = c.conn, who = c.self, reason] {
                    conn->interrupt(who.get(), reason);
                });
            }
            break;
        default:
            break;
    }
}

// Under the mutex.
template <class Executor>
void client_core<Executor>::arm_deadline_timer(clock::time_point at) {
    deadline_timer_at_ = at;
    deadline_timer_->expires_at(at);  // cancels the wait armed before, if any
    deadline_timer_->async_wait([self = this->shared_from_this()](error_code ec) {
        if (ec != asio::error::operation_aborted) {
            self->on_deadline_timer();
        }
    });
}

template <class Executor>
void client_core<Executor>::on_deadline_timer() {
    lock held(mutex_);
    deadline_timer_at_ = clock::time_point::max();
    const auto now = clock::now();
    call_type* c = deadlines_.earliest();
    while (c != nullptr && c->deadline <= now) {
        call_type* after = deadlines_.after(*c);
        abort(*c, asio::error::timed_out);  // a call in an attempt leaves when it ends
        c = after;
    }
    if (c != nullptr) {
        arm_deadline_timer(c->deadline);
    }
}

template <class Executor>
void client_core<Executor>::close() {
    lock held(mutex_);
    if (closed_) {
        return;
    }
    closed_ = true;
    pool_.close();
    for (call_type* c = deadlines_.earliest(); c != nullptr;) {
        call_type* after = deadlines_.after(*c);
        abort(*c, error::client_closed);
        c = after;
    }
}

template <class Executor>
asio::any_io_executor client_core<Executor>::get_executor() {
    lock held(mutex_);
    return ex_;
}

// On the thread destroying the context, which nothing runs any more; before the context
// destroys its pending operations. What they own goes with them; everything else goes here.
template <class Executor>
void client_core<Executor>::context_lost() noexcept {
    std::vector<call_ptr> calls;
    std::vector<connection_ptr> connections;
    asio::any_io_executor given;
    asio::any_completion_executor given_candidate;
    std::optional<Executor> inner;
    {
        lock held(mutex_);
        lost_.store(true, std::memory_order_release);
        closed_ = true;
        for (call_type* c = deadlines_.earliest(); c != nullptr;) {
            call_type* after = deadlines_.after(*c);
            deadlines_.erase(*c);
            advance(c->state, call_event::context_lost);  // aborts and cancellations leave it alone
            if (c->conn) {
                connections.push_back(std::move(c->conn));
            }
            calls.push_back(std::move(c->self));
            c = after;
        }
        pool_.abandon(connections);
        deadline_timer_.reset();  // its pending wait goes with the context's operations
        deadline_timer_at_ = clock::time_point::max();
        // The executors too: a strand or a work-tracking executor touches its context when
        // it is destroyed.
        given = std::exchange(ex_, asio::any_io_executor());
        given_candidate = std::exchange(handler_candidate_, asio::any_completion_executor());
        if constexpr (std::is_same_v<Executor, asio::any_io_executor>) {
            inner.emplace(std::exchange(inner_, Executor()));
        }
    }
    // Over HTTP/2 the streams waiting on a connection are coroutines that hold it.
    for (const auto& conn : connections) {
        conn->abandon();
    }
    // Calls, connections and handlers no operation holds are freed here, the others with
    // the context's operations, outside the mutex.
}

}  // namespace stytch::detail
