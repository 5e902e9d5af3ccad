#pragma once

// One attempt of a call, on its connection's strand (see client_core.hpp): open the connection
// if it is new, then its channel's part (driver/channel.hpp: check that a pooled connection is
// still usable, write, read, judge the answer). What follows it is in client_core_settle.hpp.

#include "driver/client_core.hpp"

namespace stytch::detail {

template <class Executor>
void client_core<Executor>::run_attempt(launch l) {
    if (l.entry == pool_entry::to_open) {
        l.connection =
            std::make_shared<connection_type>(asio::make_strand(inner_), tls_, h2_limits_,
                                              cfg_.max_streams_per_connection, goodbye_limit());
    }
    auto ex = l.connection->get_executor();
    // serve() reports an attempt's allocation failure to its call; one in finish_attempt()
    // (the engine's own bookkeeping) leaves the engine inconsistent, so it escapes from the
    // io_context's run(), as any handler's exception does, instead of vanishing.
    asio::co_spawn(std::move(ex), serve(this->shared_from_this(), std::move(l)),
                   [](std::exception_ptr e) {
                       if (e) {
                           std::rethrow_exception(e);
                       }
                   });
}

// One coroutine for as long as the connection is handed from call to call: the pool gives a
// connection that an attempt released to the next queued call, which goes on here instead of
// in a coroutine of its own (a spawn per call costs a frame, a work-tracking strand and a
// completion hand-off). `self` keeps the core alive meanwhile.
template <class Executor>
auto client_core<Executor>::serve([[maybe_unused]] std::shared_ptr<client_core> self, launch l)
    -> task<void> {
    for (;;) {
        call_type& c = *l.call;
        const connection_ptr& conn = l.connection;
        const bool reused = l.entry != pool_entry::to_open;
        outcome o;
        try {
            // In this frame, not a nested one: a frame allocation per call less.
            conn->holder = &c;
            bool ready = reused;
            if (!ready) {
                ready = co_await open(c, conn, o);
            }
            if (ready) {
                call_gates gates{*this, c, conn};
                attempt_context a{&c, reused, c.request, encoder_, cfg_, c.response, gates};
                o = co_await conn->async_attempt(a);
            }
        } catch (...) {
            // Only allocation failure can get here; report it, never throw out of the caller's
            // io_context.
            conn->close();
            o = outcome(make_error_code(boost::system::errc::not_enough_memory));
        }
        auto next = finish_attempt(l.call, conn, std::move(o));
        if (!next) {
            co_return;
        }
        l = std::move(*next);
    }
}

// Opens the connection a call was granted to open: true once it is open, otherwise false
// with `o` saying why.
template <class Executor>
auto client_core<Executor>::open(call_type& c, const connection_ptr& conn, outcome& o)
    -> task<bool> {
    if (!may_interrupt(c, conn)) {
        o.phase = attempt_phase::waiting_for_connection;  // settle() gives the reason
        co_return false;
    }
    auto ec = co_await conn->async_open(endpoint_, proxy_ ? &*proxy_ : nullptr,
                                        saturating_add(clock::now(), cfg_.connect_timeout));
    if (ec) {
        o = judge_open_failure(ec, conn->proxy_status(), conn->reached_handshake(),
                               proxy_ ? authority(proxy_->proxy) : std::string());
        co_return false;
    }
    on_opened(conn);
    co_return true;
}

// Once per new connection, beside a TLS handshake: the pool learns what it speaks (see
// connection_pool::opened).
template <class Executor>
void client_core<Executor>::on_opened(const connection_ptr& conn) {
    std::vector<launch> more;
    {
        lock held(mutex_);
        ++stats_.connections_opened;
        for (const auto& g : pool_.opened(conn)) {
            more.push_back(on_grant(g));
        }
    }
    for (auto& l : more) {
        run_attempt(std::move(l));
    }
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
