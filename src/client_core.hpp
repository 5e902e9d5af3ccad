#pragma once

// The client's engine. Shared state — the pool, its queue of waiting calls, the deadline list —
// sits behind one mutex held for a few steps at a time; everything else runs without it: each
// attempt (open, write, read, TLS, parse, decode) on the strand of its connection, so busy
// connections progress on as many threads as run the io_context. A call's life is the machine
// in engine/call_machine.hpp; this file performs its actions (an attempt's in
// client_core_attempt.hpp, a call's end in client_core_completion.hpp). A template on the executor
// under the strands so that no executor on the hot path is type-erased (see net/connection.hpp);
// instantiated by client_core_io_context.cpp and client_core_generic.cpp only.

#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/recycling_allocator.hpp>
#include <boost/asio/strand.hpp>

#include <memory>
#include <mutex>
#include <optional>
#include <random>

#include "client_impl.hpp"
#include "codec/retry_after.hpp"
#include "engine/call.hpp"
#include "engine/connection_pool.hpp"
#include "engine/deadline_list.hpp"
#include "engine/stats_count.hpp"
#include "net/connection.hpp"
#include "retry_rules.hpp"
#include "time_arith.hpp"

namespace stytch::detail {

namespace asio = boost::asio;
using boost::system::error_code;

template <class Executor>
class client_core final : public client_impl,
                          public std::enable_shared_from_this<client_core<Executor>> {
  public:
    using strand_type = asio::strand<Executor>;
    using connection_type = connection<strand_type>;
    using connection_ptr = std::shared_ptr<connection_type>;
    using clock = std::chrono::steady_clock;

    /// Connections get strands of `inner`; `ex` is the executor the caller gave.
    static std::shared_ptr<client_impl> create(const Executor& inner, asio::any_io_executor ex,
                                               client_config cfg) {
        return std::make_shared<client_core>(inner, std::move(ex), std::move(cfg));
    }

    client_core(const Executor& inner, asio::any_io_executor ex, client_config cfg)
        : client_impl(std::move(ex), std::move(cfg)),
          inner_(inner),
          pool_(pool_limits{cfg_.max_connections, cfg_.idle_timeout, cfg_.warm_idle_connections,
                            cfg_.http_version != http_version::http1_1}),
          h2_limits_{.body_limit = cfg_.max_response_body},
          deadline_timer_(inner),
          jitter_(std::random_device{}()) {}

    void start(asio::any_completion_handler<b2b::delete_external_id_signature> handler,
               const b2b::delete_external_id_request& request,
               const b2b::delete_external_id_options& options, api_error* diag) override;

    void close() override;

    client_stats stats() override;

  private:
    using call_type = call<connection_type, Executor>;
    using call_ptr = std::shared_ptr<call_type>;
    using pool_type = connection_pool<connection_type, call_type, &call_type::queue_hook>;
    using grant = typename pool_type::grant;
    using lock = std::unique_lock<std::mutex>;
    template <class T>
    using task = asio::awaitable<T, strand_type>;

    void admit(const call_ptr& c);
    void cancel(call_type& c, asio::cancellation_type type);
    void abort(call_type& c, error_code reason);
    /// A granted call about to run an attempt; `connection` null: open a new one.
    struct launch {
        call_ptr call;
        connection_ptr connection;
    };
    /// A completed call whose handler (and on_call hook) is yet to be invoked.
    struct delivery {
        call_ptr call;
        call_info info;
    };
    launch on_grant(const grant& g);
    /// What follows an attempt (see settle()).
    struct settled {
        call_action action = call_action::none;
        std::optional<launch> next_call;  ///< a queued call granted the connection given back
        std::optional<launch> again;      ///< this call, granted again after a requeue
        std::optional<delivery> done;     ///< this call, completed
    };
    void run_attempt(launch l);
    task<outcome> attempt(call_ptr c, connection_ptr conn, bool reused);
    task<outcome> exchange_h2(call_ptr c, connection_ptr conn, bool reused);
    void on_opened(const connection_ptr& conn);
    bool may_interrupt(call_type& c, const connection_ptr& conn);
    bool may_write(call_type& c, const connection_ptr& conn);
    void finish_attempt(const call_ptr& c, const connection_ptr& conn, outcome o);
    settled settle(call_type& c, const connection_ptr& conn, connection_state given_back,
                   outcome& o, bool may_retry, std::optional<std::chrono::milliseconds> asked);
    void on_backoff_elapsed(call_type& c);
    std::chrono::milliseconds retry_delay(std::size_t attempt_no,
                                          std::optional<std::chrono::milliseconds> asked);
    attempt_info report(const call_type& c, const outcome& o);
    void count_start(call_type& c);
    delivery detach(call_type& c, outcome&& o);
    void deliver(delivery d);
    void arm_deadline_timer(clock::time_point at);
    /// How long a connection the pool lets go may take to say goodbye (GOAWAY, close_notify,
    /// the server's close): one round trip is plenty; a server that reads nothing must not
    /// hold close() or the io_context for long.
    std::chrono::milliseconds goodbye_limit() const noexcept {
        return std::min<std::chrono::milliseconds>(cfg_.connect_timeout, std::chrono::seconds(1));
    }
    void on_deadline_timer();

    Executor inner_;
    std::mutex mutex_;  // guards everything below and the calls' shared fields
    pool_type pool_;
    h2_limits h2_limits_;
    deadline_list<call_type, &call_type::deadline_hook> deadlines_;
    typename call_type::timer_type deadline_timer_;
    clock::time_point deadline_timer_at_ = clock::time_point::max();  // max: not armed
    std::minstd_rand jitter_;
    bool closed_ = false;
    client_stats stats_;  // the counters; gauges are read from the pool by stats()
};

template <class Executor>
void client_core<Executor>::start(
    asio::any_completion_handler<b2b::delete_external_id_signature> handler,
    const b2b::delete_external_id_request& request, const b2b::delete_external_id_options& options,
    api_error* diag) {
    // The per-thread recycling cache makes this allocation free in steady state.
    auto c = std::allocate_shared<call_type>(asio::recycling_allocator<call_type>(), inner_,
                                             std::move(handler), diag, ex_);
    error_code invalid = encoder_.encode_delete_external_id(request, options, c->request);
    c->started = c->queued_at = clock::now();
    c->deadline = saturating_add(c->started, options.timeout.value_or(cfg_.request_timeout));
    c->self = c;

    auto slot = asio::get_associated_cancellation_slot(c->handler);
    if (slot.is_connected()) {
        slot.assign([weak = std::weak_ptr<call_type>(c),
                     core = std::weak_ptr<client_core>(this->shared_from_this())](
                        asio::cancellation_type type) {
            auto c = weak.lock();
            auto self = core.lock();
            if (c && self) {
                self->cancel(*c, type);
            }
        });
    }
    // Posted, never dispatched: even a call refused at once completes after this function
    // returned (Asio's rule), so chains of refused calls do not recurse.
    asio::post(inner_, [self = this->shared_from_this(), c = std::move(c), invalid]() {
        if (invalid) {
            lock held(self->mutex_);
            self->count_start(*c);
            self->abort(*c, invalid);
        } else {
            self->admit(c);
        }
    });
}

template <class Executor>
void client_core<Executor>::admit(const call_ptr& c) {
    lock held(mutex_);
    count_start(*c);
    if (c->state != call_state::queued) {
        return;  // cancelled before it got here
    }
    if (closed_) {
        abort(*c, error::client_closed);
        return;
    }
    deadlines_.insert(*c);
    if (c->deadline < deadline_timer_at_) {
        arm_deadline_timer(c->deadline);
    }
    if (auto g = pool_.request(*c, clock::now())) {
        auto go = on_grant(*g);
        held.unlock();
        run_attempt(std::move(go));
    }
}

template <class Executor>
void client_core<Executor>::cancel(call_type& c, asio::cancellation_type type) {
    lock held(mutex_);
    if (honours(type, c.written)) {
        abort(c, asio::error::operation_aborted);
    }
}

// Under the mutex. The first reason wins; a call in an attempt finishes when the attempt ends.
template <class Executor>
void client_core<Executor>::abort(call_type& c, error_code reason) {
    if (c.abort_reason || c.state == call_state::done) {
        return;
    }
    c.abort_reason = reason;
    auto step = next(c.state, call_event::abort);
    c.state = step.state;
    switch (step.action) {
        case call_action::leave_queue:
            pool_.withdraw(c);
            c.waited += clock::now() - c.queued_at;
            deliver(detach(c, outcome{reason}));  // under the mutex: posting only
            break;
        case call_action::cancel_backoff:
            c.backoff.cancel();
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

// Under the mutex: the call leaves the queue for an attempt.
template <class Executor>
auto client_core<Executor>::on_grant(const grant& g) -> launch {
    call_type& c = *g.call;
    c.state = next(c.state, call_event::granted).state;
    c.attempt_started = clock::now();
    c.waited += c.attempt_started - c.queued_at;
    if (g.connection) {
        ++stats_.connections_reused;
    }
    return {c.self, g.connection};
}

// Under the mutex.
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

}  // namespace stytch::detail
