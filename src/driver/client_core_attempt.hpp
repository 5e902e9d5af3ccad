#pragma once

// One attempt of a call, on its connection's strand (see client_core.hpp): open the connection
// if it is new, then its channel's part (driver/channel.hpp: check that a pooled connection is
// still usable, write, read, judge the answer). What follows it is in client_core_settle.hpp.

#include "driver/client_core.hpp"

namespace stytch::detail {

template <class Executor>
void client_core<Executor>::run_attempt(launch l) {
    auto c = std::move(l.call);
    auto conn = std::move(l.connection);
    const bool reused = l.entry != pool_entry::to_open;
    if (!reused) {
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
    call_gates gates{*this, *c, conn};
    attempt_context a{c.get(), reused, c->request, encoder_, cfg_, c->response, gates};
    co_return co_await conn->async_attempt(a);
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
