#pragma once

// The pool's bookkeeping: idle connections, the count of open ones, and the one FIFO of calls
// waiting for a connection. It grants a call directly (pool_entry.hpp: a stream on a shared
// HTTP/2 connection, a unique idle HTTP/1.1 one, or the right to open one) and does no I/O
// except closing what it discards. Not thread-safe: the engine holds its mutex around every
// member, for a few hundred nanoseconds.
//
// Over HTTP/2 a connection carries what the server allows (SETTINGS_MAX_CONCURRENT_STREAMS, at
// most the configured cap): a call gets a stream on the least-loaded one that accepts streams,
// a new connection only when all are full; one that stops accepting (GOAWAY, failure) takes
// no more calls and closes with its last stream. Cold start: see pool_limits::probe_protocol.
//
// Idle connections expire lazily, whenever a call asks or a connection comes back: an idle
// pool holds no pending operation, so io_context::run() returns once the last call completed.
// Whether an idle connection is still usable is checked by the attempt itself, on the
// connection's strand, right before it writes (no system call under the mutex).

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <memory>
#include <optional>
#include <vector>

#include "base/time_arith.hpp"
#include "engine/intrusive_list.hpp"
#include "engine/pool_entry.hpp"
#include "engine/pool_limits.hpp"
#include "engine/shared_connections.hpp"

namespace stytch::detail {

/// `Connection` needs reusable(), close() (at once), retire() (politely, from any thread),
/// release_buffers(), shared(), accepting(), capacity() and members `idle_since` and
/// `streams`; `Call` a `list_hook<Call>` at `Hook`.
template <class Connection, class Call, list_hook<Call> Call::*Hook>
class connection_pool {
  public:
    using clock = std::chrono::steady_clock;
    using connection_ptr = std::shared_ptr<Connection>;

    /// What a call was granted; `connection` is null for pool_entry::to_open.
    struct grant {
        Call* call;
        pool_entry entry;
        connection_ptr connection;
    };

    explicit connection_pool(pool_limits limits) : limits_(limits) {}

    /// Grants `c` at once, or queues it (FIFO) and returns nothing; a closed pool neither
    /// grants nor queues.
    std::optional<grant> request(Call& c, clock::time_point now) {
        if (closed_) {
            return std::nullopt;
        }
        close_expired(now);
        if (connection_ptr shared = least_loaded()) {
            ++shared->streams;
            return grant{&c, pool_entry::shared, std::move(shared)};
        }
        if (!idle_.empty()) {
            connection_ptr conn = std::move(idle_.back());
            idle_.pop_back();
            return grant{&c, pool_entry::unique, std::move(conn)};
        }
        if (may_open(waiting_ + 1)) {
            ++open_;
            return grant{&c, pool_entry::to_open, nullptr};
        }
        queue_.push_back(c);
        ++waiting_;
        return std::nullopt;
    }

    /// Takes `c` out of the queue (it no longer waits).
    void withdraw(Call& c) noexcept {
        if (queue_.linked(c)) {
            queue_.erase(c);
            --waiting_;
        }
    }

    /// A connection was just opened (its opener holds it). A shared one (HTTP/2) takes queued
    /// calls at once, a stream each up to its capacity. Either way the pool now knows the
    /// protocol, and queued calls that the connections being opened will not carry get the
    /// right to open one, up to `max_connections`.
    std::vector<grant> opened(const connection_ptr& conn) {
        std::vector<grant> granted;
        protocol_ = conn->shared() ? learned::http2 : learned::http1;
        if (conn->shared()) {
            conn->streams = 1;
            shared_.add(conn);
            h2_capacity_ = conn->capacity();
            while (!closed_ && !queue_.empty() && conn->accepting() &&
                   conn->streams < conn->capacity()) {
                ++conn->streams;
                granted.push_back(grant{pop_waiting(), pool_entry::shared, conn});
            }
        }
        grant_opens(granted);
        return granted;
    }

    /// Gives back a connection — or, when `conn` is null, the right to open one that was not
    /// used or whose connection failed to open. A connection that is not reusable() is closed;
    /// an HTTP/2 one gives back one stream. Returns the grant this makes to the first queued
    /// call, if any.
    std::optional<grant> release(connection_ptr conn, clock::time_point now) {
        if (conn && conn->shared()) {
            return release_stream(std::move(conn), now);
        }
        if (conn && (closed_ || !conn->reusable())) {
            if (conn->reusable()) {
                conn->retire();  // the pool is closed: a polite close
            } else {
                conn->close();
            }
            conn = nullptr;  // its slot is free again, as an unused right to open
        }
        if (!queue_.empty() && !closed_) {
            const auto entry = conn ? pool_entry::unique : pool_entry::to_open;
            return grant{pop_waiting(), entry, std::move(conn)};
        }
        if (!conn) {
            --open_;
            return std::nullopt;
        }
        conn->idle_since = now;
        close_expired(now);
        idle_.push_back(std::move(conn));
        // Reuse takes the newest: the few most recently used keep their TLS buffers, the
        // others give them back, so a large idle pool stays small.
        if (idle_.size() > limits_.warm_idle) {
            idle_[idle_.size() - 1 - limits_.warm_idle]->release_buffers();
        }
        return std::nullopt;
    }

    /// Closes idle connections and refuses further grants. Queued calls stay queued: their
    /// owner ends them (withdraw()).
    void close() {
        closed_ = true;
        for (auto& c : idle_) {
            discard(*c);
        }
        closed_idle_ += idle_.size();
        idle_.clear();
        closed_idle_ += drop_shared([](const Connection& c) { return c.streams == 0; });
    }

    /// The execution context is being destroyed: refuses further grants and forgets the
    /// queue, without closing anything; every connection the pool held is appended to `out`,
    /// for the caller to release outside its lock.
    void abandon(std::vector<connection_ptr>& out) {
        closed_ = true;
        while (!queue_.empty()) {
            pop_waiting();
        }
        std::move(idle_.begin(), idle_.end(), std::back_inserter(out));
        idle_.clear();
        shared_.abandon(out);
        open_ = 0;
    }

    bool closed() const noexcept { return closed_; }
    /// Connections idle, in use or being opened.
    std::size_t open() const noexcept { return open_; }
    /// Idle connections: HTTP/1.1 ones in the pool, HTTP/2 ones without a stream.
    std::size_t idle() const noexcept { return idle_.size() + shared_.idle(); }
    bool has_queue() const noexcept { return !queue_.empty(); }
    /// Calls queued for a connection.
    std::size_t waiting() const noexcept { return waiting_; }
    /// Idle connections closed so far because they idled past `idle_timeout`.
    std::uint64_t expired_total() const noexcept { return expired_total_; }
    /// Idle connections closed so far by close().
    std::uint64_t closed_idle_total() const noexcept { return closed_idle_; }

  private:
    using queue_type = intrusive_list<Call, Hook>;

    // An idle HTTP/1.1 connection leaves the pool (expired, or the pool closed): politely.
    void discard(Connection& c) {
        c.retire();
        --open_;
    }

    enum class learned { unknown, http1, http2 };

    // Whether one of `wanting` calls (queued, or about to be) may open a new connection.
    bool may_open(std::size_t wanting) const noexcept {
        if (open_ >= limits_.max_connections) {
            return false;
        }
        if (!limits_.probe_protocol || protocol_ == learned::http1) {
            return true;
        }
        if (protocol_ == learned::unknown) {
            return open_ == 0;  // every open connection is still in its handshake
        }
        // Each connection being opened will carry its opener and h2_capacity_ - 1 more.
        const std::size_t opening = open_ - shared_.size();
        const std::size_t others = h2_capacity_ > 1 ? h2_capacity_ - 1 : 0;
        return wanting > opening * others;
    }

    // The right to open a new connection, to queued calls in order, as far as may_open says.
    void grant_opens(std::vector<grant>& granted) {
        while (!closed_ && !queue_.empty() && may_open(waiting_)) {
            ++open_;
            granted.push_back(grant{pop_waiting(), pool_entry::to_open, nullptr});
        }
    }

    Call* pop_waiting() noexcept {
        Call* c = queue_.front();
        queue_.erase(*c);
        --waiting_;
        return c;
    }

    // An HTTP/2 stream ends: the stream goes to the first queued call if the connection takes
    // more; a connection that accepts no more closes with its last stream, and its slot goes
    // to a queued call as the right to open a new one.
    std::optional<grant> release_stream(connection_ptr conn, clock::time_point now) {
        --conn->streams;
        if (!closed_ && conn->accepting()) {
            if (!queue_.empty() && conn->streams < conn->capacity()) {
                ++conn->streams;
                return grant{pop_waiting(), pool_entry::shared, std::move(conn)};
            }
            if (conn->streams == 0) {
                conn->idle_since = now;
            }
            return std::nullopt;
        }
        if (conn->streams != 0) {
            return std::nullopt;  // the last of its streams closes it
        }
        drop_shared([&](const Connection& c) { return &c == conn.get(); });
        if (!queue_.empty() && !closed_) {
            ++open_;
            return grant{pop_waiting(), pool_entry::to_open, nullptr};
        }
        return std::nullopt;
    }

    // The least-loaded HTTP/2 connection that takes another stream, if any; drops those
    // that accept no more and carry no stream.
    connection_ptr least_loaded() {
        drop_shared([](const Connection& c) { return c.streams == 0 && !c.accepting(); });
        return shared_.least_loaded();
    }

    // Retires the HTTP/2 connections `which` selects and frees their slots; returns how many.
    template <class Which>
    std::size_t drop_shared(Which which) {
        const std::size_t dropped = shared_.drop(which);
        open_ -= dropped;
        return dropped;
    }

    void close_expired(clock::time_point now) {
        expired_total_ += drop_shared([&](const Connection& c) {
            return c.streams == 0 && now >= saturating_add(c.idle_since, limits_.idle_timeout);
        });
        std::size_t expired = 0;
        while (expired < idle_.size() &&
               now >= saturating_add(idle_[expired]->idle_since, limits_.idle_timeout)) {
            discard(*idle_[expired]);
            ++expired;
        }
        expired_total_ += expired;
        idle_.erase(idle_.begin(), idle_.begin() + static_cast<std::ptrdiff_t>(expired));
    }

    pool_limits limits_;
    std::size_t open_ = 0;     // idle + in use + being opened
    std::size_t waiting_ = 0;  // length of queue_
    std::uint64_t expired_total_ = 0;
    std::uint64_t closed_idle_ = 0;
    bool closed_ = false;
    learned protocol_ = learned::unknown;    // what the last handshake told (the cold start)
    std::size_t h2_capacity_ = 1;            // streams the last HTTP/2 connection allowed
    std::vector<connection_ptr> idle_;       // HTTP/1.1, oldest first; reuse takes the newest
    shared_connections<Connection> shared_;  // HTTP/2, idle or carrying streams
    queue_type queue_;
};

}  // namespace stytch::detail
