#pragma once

// The client's engine. Shared state — the pool, its queue of waiting calls, the deadline list —
// sits behind one mutex held for a few steps at a time; everything else runs without it: each
// attempt (open, write, read, TLS, parse, decode) on the strand of its connection, so busy
// connections progress on as many threads as run the io_context. A call's life is the machine
// in engine/call_machine.hpp; this file performs its actions (an attempt's in
// client_core_attempt.hpp, a call's end in client_core_completion.hpp). A template on the executor
// under the strands so that no executor on the hot path is type-erased (see driver/connection.hpp);
// instantiated by client_core_io_context.cpp and client_core_generic.cpp only.
//
// Lifetime: a call owns itself (call::self) from start() until its completion is posted, and
// pending operations (posted steps, coroutines, timer waits) own the calls, connections and
// the core they work for. When the execution context is destroyed before them, it destroys
// those operations without running them; context_lost() (see context_watch.hpp) runs first
// and lets go of everything else — the calls' hold on themselves, the pooled connections, the
// streams waiting on HTTP/2 connections, the deadline timer — so that all of it is freed with
// the context, and nothing here touches the context afterwards.

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/execution/context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/query.hpp>
#include <boost/asio/strand.hpp>

#include <atomic>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <type_traits>
#include <vector>

#include "base/spare_block_allocator.hpp"
#include "base/time_arith.hpp"
#include "codec/retry_after.hpp"
#include "driver/call.hpp"
#include "driver/client_impl.hpp"
#include "driver/connection.hpp"
#include "driver/context_watch.hpp"
#include "engine/connection_pool.hpp"
#include "engine/deadline_list.hpp"
#include "engine/retry_rules.hpp"
#include "engine/stats_count.hpp"

namespace stytch::detail {

namespace asio = boost::asio;
using boost::system::error_code;

template <class Executor>
class client_core final : public client_impl,
                          public context_bound,
                          public std::enable_shared_from_this<client_core<Executor>> {
  public:
    using strand_type = asio::strand<Executor>;
    using connection_type = connection<strand_type>;
    using connection_ptr = std::shared_ptr<connection_type>;
    using clock = std::chrono::steady_clock;

    /// Connections get strands of `inner`; `ex` is the executor the caller gave.
    static std::shared_ptr<client_impl> create(const Executor& inner, asio::any_io_executor ex,
                                               client_config cfg) {
        auto core = std::make_shared<client_core>(inner, std::move(ex), std::move(cfg));
        // After the deadline timer made the context's timer services: they shut down first.
        context_watch::watch(asio::query(inner, asio::execution::context), core);
        return core;
    }

    client_core(const Executor& inner, asio::any_io_executor ex, client_config cfg)
        : client_impl(std::move(ex), std::move(cfg)),
          inner_(inner),
          pool_(pool_limits{cfg_.max_connections, cfg_.idle_timeout, cfg_.warm_idle_connections,
                            cfg_.http_version != http_version::http1_1}),
          h2_limits_{.body_limit = cfg_.max_response_body,
                     .connection_window = cfg_.h2_connection_window},
          deadline_timer_(std::in_place, inner),
          jitter_(std::random_device{}()) {}

    void start(call_handler handler, const b2b::delete_external_id_request& request,
               const b2b::delete_external_id_options& options, api_error* diag) override;

    void close() override;

    client_stats stats() override;

    asio::any_io_executor get_executor() override;

    /// See context_bound: lets go of every call (destroying, not invoking, the handlers of
    /// those no operation holds), connection and timer; from now on start() destroys its
    /// handler at once and close() does nothing.
    void context_lost() noexcept override;

  private:
    using call_type = call<connection_type, Executor>;
    using call_ptr = std::shared_ptr<call_type>;
    using pool_type = connection_pool<connection_type, call_type, &call_type::queue_hook>;
    using grant = typename pool_type::grant;
    using lock = std::unique_lock<std::mutex>;
    template <class T>
    using task = asio::awaitable<T, strand_type>;

    struct admission;
    void admit(const call_ptr& c);
    void let_go(call_type& c);
    void cancel(call_type& c, asio::cancellation_type type);
    void abort(call_type& c, error_code reason);
    /// A granted call about to run an attempt; `connection` is null for pool_entry::to_open.
    struct launch {
        call_ptr call;
        pool_entry entry;
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
    task<void> serve(std::shared_ptr<client_core> self, launch l);
    task<bool> open(call_type& c, const connection_ptr& conn, outcome& o);
    void on_opened(const connection_ptr& conn);
    bool may_interrupt(call_type& c, const connection_ptr& conn);
    bool may_write(call_type& c, const connection_ptr& conn);
    /// The engine's gates for one attempt of `call` on `conn` (see attempt_context.hpp).
    struct call_gates final : attempt_gates {
        call_gates(client_core& core, call_type& call, const connection_ptr& conn)
            : core(core), call(call), conn(conn) {}
        bool may_interrupt() override { return core.may_interrupt(call, conn); }
        bool may_write() override { return core.may_write(call, conn); }

        client_core& core;
        call_type& call;
        const connection_ptr& conn;
    };
    std::optional<launch> finish_attempt(const call_ptr& c, const connection_ptr& conn, outcome o);
    settled settle(call_type& c, const connection_ptr& conn, connection_state given_back,
                   outcome& o, bool attempts_left, std::optional<std::chrono::milliseconds> asked);
    void on_backoff_elapsed(call_type& c);
    std::chrono::milliseconds retry_delay(std::size_t attempt_no,
                                          std::optional<std::chrono::milliseconds> asked);
    attempt_info report(const call_type& c, const outcome& o,
                        std::optional<std::chrono::milliseconds> asked);
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
    std::optional<typename call_type::timer_type> deadline_timer_;    // reset by context_lost()
    clock::time_point deadline_timer_at_ = clock::time_point::max();  // max: not armed
    std::minstd_rand jitter_;
    bool closed_ = false;
    std::atomic<bool> lost_{false};  // the execution context is being (or was) destroyed
    client_stats stats_;             // the counters; gauges are read from the pool by stats()
};

template <class Executor>
void client_core<Executor>::start(call_handler handler,
                                  const b2b::delete_external_id_request& request,
                                  const b2b::delete_external_id_options& options, api_error* diag) {
    if (lost_.load(std::memory_order_acquire)) {
        return;  // nothing can run any more: the handler is destroyed, as the context's are
    }
    // Its block is recycled per thread, not through Asio's cache: those blocks hold at most
    // 1,020 bytes, less than the response alone, so each call would evict one that a posted
    // step reuses.
    auto c = std::allocate_shared<call_type>(spare_block_allocator<call_type>{}, inner_,
                                             std::move(handler), diag, handler_candidate_);
    error_code invalid = encoder_.encode_delete_external_id(request, options, c->request);
    c->started = c->queued_at = clock::now();
    c->deadline = saturating_add(c->started, options.timeout.value_or(cfg_.request_timeout));
    c->self = c;

    auto slot = c->handler.cancellation_slot();
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
    asio::post(inner_, admission{this->shared_from_this(), std::move(c), invalid});
}

// The step that admits a call, owning it until then. Destroyed without running (the context
// is being destroyed), it lets the call go: nothing else knows the call yet.
template <class Executor>
struct client_core<Executor>::admission {
    std::shared_ptr<client_core> core;
    call_ptr call;
    error_code invalid;

    admission(std::shared_ptr<client_core> core, call_ptr call, error_code invalid)
        : core(std::move(core)), call(std::move(call)), invalid(invalid) {}
    admission(admission&&) noexcept = default;
    admission& operator=(admission&&) = delete;
    ~admission() {
        if (call) {
            core->let_go(*call);
        }
    }

    void operator()() {
        const call_ptr c = std::move(call);
        if (invalid) {
            lock held(core->mutex_);
            core->count_start(*c);
            core->abort(*c, invalid);
        } else {
            core->admit(c);
        }
    }
};

// A call that will never run: its hold on itself goes, outside the mutex (its handler, freed
// with it, may own anything, even this client).
template <class Executor>
void client_core<Executor>::let_go(call_type& c) {
    call_ptr self;
    lock held(mutex_);
    self = std::move(c.self);
    held.unlock();
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

// Under the mutex: the call leaves the queue for an attempt.
template <class Executor>
auto client_core<Executor>::on_grant(const grant& g) -> launch {
    call_type& c = *g.call;
    advance(c.state, call_event::granted);
    c.attempt_started = clock::now();
    c.waited += c.attempt_started - c.queued_at;
    if (g.entry != pool_entry::to_open) {
        ++stats_.connections_reused;
    }
    return {c.self, g.entry, g.connection};
}

}  // namespace stytch::detail
