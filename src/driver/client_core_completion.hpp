#pragma once

// A call's end (see client_core.hpp): it leaves the engine with its outcome counted, then its
// handler runs by Asio's rules; and the stats snapshot those counts make.

#include "driver/client_core.hpp"

namespace stytch::detail {

// Under the mutex, once per call. A call cancelled before admit() ran is counted here.
template <class Executor>
void client_core<Executor>::count_start(call_type& c) {
    if (!c.counted) {
        c.counted = true;
        ++stats_.calls_started;
    }
}

// Under the mutex: the call is done and leaves the engine; deliver() invokes its handler.
template <class Executor>
auto client_core<Executor>::detach(call_type& c, outcome&& o) -> delivery {
    count_start(c);
    if (o.ec) {
        count_failure(stats_.calls_failed, o.ec);
    } else {
        ++stats_.calls_succeeded;
    }
    using std::chrono::duration_cast;
    using us = std::chrono::microseconds;
    const call_info info{o.ec, c.attempts_made, duration_cast<us>(clock::now() - c.started),
                         duration_cast<us>(c.waited)};
    stats_.call_latency.record(info.latency);
    stats_.connection_wait.record(info.connection_wait);
    deadlines_.erase(c);
    if (deadlines_.earliest() == nullptr && deadline_timer_at_ != clock::time_point::max()) {
        deadline_timer_at_ = clock::time_point::max();
        deadline_timer_->cancel();  // nothing left to time out; let the io_context go idle
    }
    if (c.diag) {
        *c.diag = o.details ? std::move(*o.details) : api_error{};
    }
    if (o.ec) {
        c.response = {};
    }
    return {std::move(c.self), info};
}

template <class Executor>
void client_core<Executor>::deliver(delivery d) {
    // Posted to the executor under the strands, then dispatched to the handler's executor:
    // the handler never runs inside the function that started the call, nor on a
    // connection's strand or under the mutex, so a slow handler delays no other call. (A
    // type-erased completion executor cannot be posted to directly.)
    // The core is kept alive for the hook only when there is one.
    auto hooked = cfg_.on_call ? this->shared_from_this() : nullptr;
    asio::post(inner_,
               [c = std::move(d.call), info = d.info, hooked = std::move(hooked)]() mutable {
                   if (hooked) {
                       hooked->cfg_.on_call(info);
                   }
                   auto ex = c->work.get_executor();
                   const error_code ec = info.result;
                   asio::dispatch(ex, [c = std::move(c), ec]() {
                       // Cleared on the handler's executor, where the caller emits its signal.
                       auto slot = c->handler.cancellation_slot();
                       if (slot.is_connected()) {
                           slot.clear();
                       }
                       auto work = std::move(c->work);
                       std::move(c->handler)(ec, std::move(c->response));
                   });
               });
}

template <class Executor>
client_stats client_core<Executor>::stats() {
    lock held(mutex_);
    client_stats s = stats_;
    s.connections_open = pool_.open();
    s.connections_idle = pool_.idle();
    s.connections_busy = s.connections_open - s.connections_idle;
    s.calls_waiting = pool_.waiting();
    s.calls_in_flight =
        static_cast<std::size_t>(s.calls_started - s.calls_succeeded - s.calls_failed.total());
    s.connections_discarded.idle_timeout = pool_.expired_total();
    s.connections_discarded.client_closed += pool_.closed_idle_total();
    return s;
}

}  // namespace stytch::detail
