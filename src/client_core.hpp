#pragma once

// The client's engine: the calls in flight, the pool, and the retry loop. Everything after
// construction runs on one strand. A template on the executor under the strand so that no
// executor on the hot path is type-erased (see net/connection.hpp); instantiated by
// client_core_io_context.cpp and client_core_generic.cpp only.

#include <boost/asio/any_completion_executor.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/recycling_allocator.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <memory>
#include <random>

#include "client_impl.hpp"
#include "codec/response_decoder.hpp"
#include "codec/retry_after.hpp"
#include "net/connection.hpp"
#include "net/connection_pool.hpp"
#include "retry_rules.hpp"
#include "time_arith.hpp"

namespace stytch::detail {

namespace asio = boost::asio;
using boost::system::error_code;

template <class Executor>
class client_core final : public client_impl,
                          public std::enable_shared_from_this<client_core<Executor>> {
  public:
    using strand_type = boost::asio::strand<Executor>;
    using connection_type = connection<strand_type>;
    using clock = std::chrono::steady_clock;

    /// Runs on a strand of `inner`; `ex` is the executor the caller gave.
    static std::shared_ptr<client_impl> create(const Executor& inner,
                                               boost::asio::any_io_executor ex, client_config cfg) {
        return std::make_shared<client_core>(inner, std::move(ex), std::move(cfg));
    }

    client_core(const Executor& inner, boost::asio::any_io_executor ex, client_config cfg)
        : client_impl(std::move(ex), std::move(cfg)),
          strand_(inner),
          pool_(cfg_.max_connections, cfg_.idle_timeout),
          deadline_timer_(strand_),
          jitter_(std::random_device{}()) {}

    void start(boost::asio::any_completion_handler<b2b::delete_external_id_signature> handler,
               const b2b::delete_external_id_request& request,
               const b2b::delete_external_id_options& options, api_error* diag) override;

    void close() override;

  private:
    struct call;
    struct outcome;
    template <class T>
    using task = boost::asio::awaitable<T, strand_type>;
    using call_ptr = std::shared_ptr<call>;
    static constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable_t<strand_type>{});

    void admit(call_ptr c);
    void spawn(call_ptr c);
    call_ptr leave_room(call& c);
    bool may_run_another() const noexcept {
        return active_ < cfg_.max_connections * active_per_connection;
    }
    static bool honours(asio::cancellation_type type, const call& c);
    void abort(call& c, error_code reason);
    task<outcome> run(call_ptr c);
    task<outcome> attempt(const call_ptr& c);
    auto sleep(call& c, clock::time_point until);
    std::chrono::milliseconds retry_delay(std::size_t attempt, const outcome& o);
    void report(std::size_t attempt, const outcome& o, const call& c, clock::duration took);
    void arm_connect_timeout(const call_ptr& c);
    void disarm(call& c);
    void arm_deadline_timer(clock::time_point at);
    void on_deadline_timer();
    void complete(const call_ptr& c, outcome&& o);
    void close_on_strand();
    void link(call& c);
    void unlink(call& c);

    strand_type strand_;
    connection_pool<connection_type> pool_;
    // The calls in flight, earliest deadline first: an intrusive list through call. Every
    // call has the same timeout, so new calls go at (or near) the tail, and one timer set to
    // the head's deadline enforces every deadline without a timer operation per call.
    call* head_ = nullptr;
    call* tail_ = nullptr;
    typename connection_type::timer_type deadline_timer_;
    clock::time_point deadline_timer_at_ = clock::time_point::max();  // max: not armed
    // Beyond `active_per_connection` calls per pooled connection, a call waits in the room,
    // FIFO, before its coroutine starts: ten thousand queued callers then cost a small record
    // each instead of resident coroutine frames that every resumption pulls back into cache.
    static constexpr std::size_t active_per_connection = 4;
    std::size_t active_ = 0;  // calls whose coroutine runs
    call* room_head_ = nullptr;
    call* room_tail_ = nullptr;
    std::minstd_rand jitter_;
    bool closed_ = false;
};

// One call in flight. Shared between the coroutine, its timer and a cancellation slot.
template <class Executor>
struct client_core<Executor>::call {
    call(const strand_type& strand,
         asio::any_completion_handler<b2b::delete_external_id_signature> h, api_error* d,
         const asio::any_io_executor& default_ex)
        : handler(std::move(h)),
          work(asio::get_associated_executor(handler, default_ex)),
          diag(d),
          timer(strand) {}

    /// Ends whatever the call is waiting for; the coroutine then reports `reason`.
    void abort(error_code reason) {
        if (abort_reason) {
            return;
        }
        abort_reason = reason;
        if (waiting) {
            timer.cancel();
        }
        if (io) {
            io->close();
        }
    }

    asio::any_completion_handler<b2b::delete_external_id_signature> handler;
    asio::executor_work_guard<asio::any_completion_executor>
        work;  // keeps the handler's executor busy
    api_error* diag;
    std::string request;  // encoded bytes
    b2b::delete_external_id_response response;
    error_code invalid;  // validation failure: nothing is sent
    clock::time_point deadline;
    typename connection_type::timer_type
        timer;  // the pool wait, the connect timeout, the backoff between attempts
    unsigned timer_generation = 0;  // tells a connect timeout still queued that it is stale
    error_code abort_reason;
    bool connect_expired = false;   // the connect timeout (not the deadline) closed `io`
    bool waiting = false;           // waiting on `timer` for a connection
    bool written = false;           // an attempt has started writing the request
    connection_type* io = nullptr;  // the connection doing I/O for this call
    call* prev = nullptr;           // the in-flight list, intrusive: no allocation per call
    call* next = nullptr;
    call* room_prev = nullptr;  // the waiting room (see client_core), intrusive too
    call* room_next = nullptr;
    call_ptr in_room;  // holds the call while it waits there
};

template <class Executor>
struct client_core<Executor>::outcome {
    outcome() = default;
    outcome(error_code e) : ec(e) {}

    error_code ec;
    api_error details;
    int http_status = 0;
    std::string retry_after;  // the answer's Retry-After, raw
    bool retryable = false;   // per the retry policy, deadline aside
    bool reused = false;      // a pooled connection was used
    bool stale = false;       // that pooled connection had been closed by the server
};

template <class Executor>
void client_core<Executor>::start(
    asio::any_completion_handler<b2b::delete_external_id_signature> handler,
    const b2b::delete_external_id_request& request, const b2b::delete_external_id_options& options,
    api_error* diag) {
    // The per-thread recycling cache makes this allocation free in steady state.
    auto c = std::allocate_shared<call>(asio::recycling_allocator<call>(), strand_,
                                        std::move(handler), diag, ex_);
    c->invalid = encoder_.encode_delete_external_id(request, options, c->request);
    c->deadline = saturating_add(clock::now(), options.timeout.value_or(cfg_.request_timeout));

    auto slot = asio::get_associated_cancellation_slot(c->handler);
    if (slot.is_connected()) {
        slot.assign([weak = std::weak_ptr<call>(c),
                     core = std::weak_ptr<client_core>(this->shared_from_this()),
                     strand = strand_](asio::cancellation_type type) {
            asio::dispatch(strand, [weak, core, type] {
                auto c = weak.lock();
                auto self = core.lock();
                if (c && self && honours(type, *c)) {
                    self->abort(*c, asio::error::operation_aborted);
                }
            });
        });
    }
    // Posted, never dispatched: even a call refused at once completes after this function
    // returned (Asio's rule), so chains of refused calls do not recurse.
    asio::post(strand_, [self = this->shared_from_this(), c = std::move(c)]() mutable {
        self->admit(std::move(c));
    });
}

template <class Executor>
void client_core<Executor>::admit(call_ptr c) {
    error_code refused = c->invalid ? c->invalid
                         : closed_  ? error_code(error::client_closed)
                                    : c->abort_reason;
    if (refused) {
        complete(c, outcome{refused});
        return;
    }
    link(*c);
    if (room_head_ == nullptr && may_run_another()) {
        spawn(std::move(c));  // nobody waits before it: FIFO holds
        return;
    }
    call* waiting = c.get();
    waiting->room_prev = room_tail_;
    (room_tail_ ? room_tail_->room_next : room_head_) = waiting;
    room_tail_ = waiting;
    waiting->in_room = std::move(c);
}

// Terminal cancellation is honoured at any point; partial and total only until an attempt
// starts writing the request, since afterwards the server may have acted on it.
template <class Executor>
bool client_core<Executor>::honours(asio::cancellation_type type, const call& c) {
    return (type & asio::cancellation_type::terminal) != asio::cancellation_type::none ||
           (!c.written &&
            (type & (asio::cancellation_type::partial | asio::cancellation_type::total)) !=
                asio::cancellation_type::none);
}

template <class Executor>
auto client_core<Executor>::leave_room(call& c) -> call_ptr {
    (c.room_prev ? c.room_prev->room_next : room_head_) = c.room_next;
    (c.room_next ? c.room_next->room_prev : room_tail_) = c.room_prev;
    c.room_prev = c.room_next = nullptr;
    return std::move(c.in_room);
}

template <class Executor>
void client_core<Executor>::spawn(call_ptr c) {
    ++active_;
    asio::co_spawn(strand_, run(c),
                   [self = this->shared_from_this(), c](std::exception_ptr e, outcome o) {
                       if (e) {
                           // Only allocation failure can get here; report it, never throw
                           // out of the caller's io_context.
                           o = outcome(make_error_code(boost::system::errc::not_enough_memory));
                       }
                       --self->active_;
                       self->complete(c, std::move(o));
                       while (self->room_head_ != nullptr && self->may_run_another()) {
                           self->spawn(self->leave_room(*self->room_head_));
                       }
                   });
}

// Ends a call early. A running call's coroutine sees the reason and finishes; a call still in
// the waiting room is completed here.
template <class Executor>
void client_core<Executor>::abort(call& c, error_code reason) {
    c.abort(reason);
    if (c.in_room) {
        call_ptr held = leave_room(c);
        unlink(c);
        complete(held, outcome{reason});
    }
}

template <class Executor>
auto client_core<Executor>::run(call_ptr c) -> task<outcome> {
    outcome o;
    std::size_t stale_replaced = 0;
    for (std::size_t attempt_no = 1;;) {
        auto started = clock::now();
        o = co_await attempt(c);
        report(attempt_no, o, *c, clock::now() - started);
        // A pooled connection the server closed while idle: replace it at once, bounded since
        // each try discards one connection.
        if (o.stale && stale_replaced++ <= cfg_.max_connections) {
            continue;
        }
        if (!o.retryable || attempt_no >= cfg_.retry.max_attempts) {
            break;
        }
        auto resume = saturating_add(clock::now(), retry_delay(attempt_no, o));
        if (resume >= c->deadline) {
            break;
        }
        co_await sleep(*c, resume);
        c->waiting = false;
        if (c->abort_reason) {
            o = outcome{c->abort_reason};
            break;
        }
        if (clock::now() >= c->deadline) {
            break;  // the timer woke late: no attempt starts after the deadline
        }
        ++attempt_no;
    }
    unlink(*c);
    co_return o;
}

template <class Executor>
auto client_core<Executor>::attempt(const call_ptr& c) -> task<outcome> {
    if (c->abort_reason) {
        co_return outcome{c->abort_reason};  // cancelled before it could start waiting
    }
    typename connection_pool<connection_type>::waiter waiter(c->timer);
    if (!pool_.try_acquire(waiter)) {
        if (pool_.closed()) {
            co_return outcome{error::client_closed};
        }
        // The pool cancels the timer when it grants, the deadline timer when time is up. No
        // expiry of its own keeps the timer queue cheap with thousands of waiters.
        co_await sleep(*c, clock::time_point::max());
        c->waiting = false;
        if (c->abort_reason || !waiter.has_grant() || clock::now() >= c->deadline) {
            pool_.leave(waiter);
            co_return outcome{c->abort_reason ? c->abort_reason
                                              : error_code(asio::error::timed_out)};
        }
    }

    std::unique_ptr<connection_type> conn = std::move(waiter.granted);
    const bool reused = conn != nullptr;
    if (!conn) {
        waiter.may_open = false;  // the new connection holds the pool slot from here on
        conn = std::make_unique<connection_type>(strand_, tls_);
        arm_connect_timeout(c);
        c->io = conn.get();
        auto ec = co_await conn->async_open(endpoint_, proxy_ ? &*proxy_ : nullptr);
        c->io = nullptr;
        disarm(*c);
        if (ec || c->abort_reason) {
            const int proxy_status = conn->proxy_status();
            conn->close();
            pool_.release(std::move(conn));
            if (c->abort_reason) {
                co_return outcome{c->abort_reason};
            }
            // The connect timeout is a connect failure like any other, unlike the deadline.
            outcome o{c->connect_expired ? error_code(asio::error::timed_out) : ec};
            o.retryable = c->connect_expired || is_transient_connect_error(ec);
            if (ec == error::proxy_refused) {
                o.http_status = o.details.status_code = proxy_status;  // never retried
            }
            co_return o;
        }
    }

    c->io = conn.get();
    c->written = true;  // from here on the server may act on the request
    http_answer answer;
    auto ec = co_await conn->async_exchange(c->request, cfg_.max_response_body, answer);
    c->io = nullptr;
    if (c->abort_reason) {
        conn->close();
        pool_.release(std::move(conn));
        co_return outcome{c->abort_reason};
    }
    outcome o{ec};
    o.reused = reused;
    if (ec) {
        o.stale = reused && conn->failed_without_answer();
        // A TLS alert before the request (a refused client certificate, say) is final.
        o.retryable =
            conn->failed_without_answer() && ec.category() != asio::error::get_ssl_category();
    } else if (reused && answer.status == 408) {
        // A server's keep-alive timeout racing our request on a pooled connection: the 408
        // answers the silence before it, not this call, which goes on over a new connection.
        conn->close();
        o.ec = boost::beast::http::error::end_of_stream;
        o.http_status = answer.status;
        o.stale = true;
    } else {
        // Decode before the release: the answer lives in the connection's buffers.
        o.http_status = answer.status;
        if (answer.status >= 200 && answer.status < 300) {
            // Straight into the call's response, which is moved once more: into the handler.
            o.ec = decode_delete_external_id(answer.status, answer.body, c->response,
                                             cfg_.max_json_depth);
        } else {
            o.ec = decode_api_error(answer.status, answer.body, o.details, cfg_.max_json_depth);
            o.retryable = is_retryable_status(answer.status, cfg_.retry);
            if (o.retryable) {
                o.retry_after = answer.retry_after;
            }
        }
    }
    pool_.release(std::move(conn));
    co_return o;
}

// Not a coroutine: the caller awaits the timer itself (one coroutine frame less per wait),
// then clears `waiting`.
template <class Executor>
auto client_core<Executor>::sleep(call& c, clock::time_point until) {
    ++c.timer_generation;  // the timer now serves this wait, not a connect timeout
    c.timer.expires_at(until);
    c.waiting = true;  // abort() cancels the wait
    return c.timer.async_wait(use_tuple);
}

template <class Executor>
std::chrono::milliseconds client_core<Executor>::retry_delay(std::size_t attempt_no,
                                                             const outcome& o) {
    if (!o.retry_after.empty()) {
        if (auto asked = parse_retry_after(o.retry_after, std::chrono::system_clock::now())) {
            return *asked;
        }
    }
    std::uniform_int_distribution<std::chrono::milliseconds::rep> pick(
        0, backoff_bound(cfg_.retry, attempt_no).count());
    return std::chrono::milliseconds(pick(jitter_));
}

template <class Executor>
void client_core<Executor>::report(std::size_t attempt_no, const outcome& o, const call& c,
                                   clock::duration took) {
    if (!cfg_.on_attempt) {
        return;
    }
    attempt_info info;
    info.attempt = attempt_no;
    info.result = o.ec;
    info.http_status = o.http_status;
    info.request_id = o.details.request_id.empty() ? c.response.request_id : o.details.request_id;
    info.latency = std::chrono::duration_cast<std::chrono::microseconds>(took);
    info.reused_connection = o.reused;
    cfg_.on_attempt(info);
}

template <class Executor>
void client_core<Executor>::arm_connect_timeout(const call_ptr& c) {
    c->connect_expired = false;
    const auto at = saturating_add(clock::now(), cfg_.connect_timeout);
    if (at >= c->deadline) {
        return;  // the deadline comes first
    }
    const unsigned generation = ++c->timer_generation;
    c->timer.expires_at(at);
    c->timer.async_wait([c, generation](error_code ec) {
        if (!ec && generation == c->timer_generation && c->io) {
            c->connect_expired = true;  // only the connect timeout: the call may go on
            c->io->close();
        }
    });
}

template <class Executor>
void client_core<Executor>::disarm(call& c) {
    ++c.timer_generation;
    c.timer.cancel();  // a pending wait would keep the io_context busy
}

template <class Executor>
void client_core<Executor>::arm_deadline_timer(clock::time_point at) {
    deadline_timer_at_ = at;
    deadline_timer_.expires_at(at);  // cancels the wait armed before, if any
    deadline_timer_.async_wait([self = this->shared_from_this()](error_code ec) {
        if (ec != asio::error::operation_aborted) {
            self->on_deadline_timer();
        }
    });
}

template <class Executor>
void client_core<Executor>::on_deadline_timer() {
    deadline_timer_at_ = clock::time_point::max();
    const auto now = clock::now();
    call* c = head_;
    while (c != nullptr && c->deadline <= now) {
        call* next = c->next;
        abort(*c, asio::error::timed_out);  // a running call leaves when its coroutine ends
        c = next;
    }
    if (c != nullptr) {
        arm_deadline_timer(c->deadline);
    } else {
        deadline_timer_.cancel();  // a wait armed while this completion was queued
    }
}

template <class Executor>
void client_core<Executor>::complete(const call_ptr& c, outcome&& o) {
    if (c->diag) {
        *c->diag = std::move(o.details);
    }
    if (o.ec) {
        c->response = {};
    }
    // Out of the strand first (posted to the executor under it), then to the handler's
    // executor: the handler never runs inside the strand, so a slow handler delays no other
    // call. (A type-erased completion executor cannot be posted to directly.)
    asio::post(strand_.get_inner_executor(), [c, ec = o.ec, work = std::move(c->work)]() {
        asio::dispatch(work.get_executor(), [c, ec]() {
            // Cleared on the handler's executor, where the caller emits its signal.
            auto slot = asio::get_associated_cancellation_slot(c->handler);
            if (slot.is_connected()) {
                slot.clear();
            }
            std::move(c->handler)(ec, std::move(c->response));
        });
    });
}

template <class Executor>
void client_core<Executor>::link(call& c) {
    call* before = tail_;  // the new call goes after `before`
    while (before != nullptr && before->deadline > c.deadline) {
        before = before->prev;  // started on another thread a moment earlier
    }
    c.prev = before;
    c.next = before ? before->next : head_;
    (before ? before->next : head_) = &c;
    (c.next ? c.next->prev : tail_) = &c;
    if (c.deadline < deadline_timer_at_) {
        arm_deadline_timer(c.deadline);
    }
}

template <class Executor>
void client_core<Executor>::unlink(call& c) {
    (c.prev ? c.prev->next : head_) = c.next;
    (c.next ? c.next->prev : tail_) = c.prev;
    c.prev = c.next = nullptr;
    if (head_ == nullptr && deadline_timer_at_ != clock::time_point::max()) {
        deadline_timer_at_ = clock::time_point::max();
        deadline_timer_.cancel();  // nothing left to time out; let the io_context go idle
    }
}

template <class Executor>
void client_core<Executor>::close() {
    asio::dispatch(strand_, [self = this->shared_from_this()] { self->close_on_strand(); });
}

template <class Executor>
void client_core<Executor>::close_on_strand() {
    if (closed_) {
        return;
    }
    closed_ = true;
    pool_.close();
    for (call* c = head_; c != nullptr;) {
        call* next = c->next;
        abort(*c, error::client_closed);
        c = next;
    }
}

}  // namespace stytch::detail
