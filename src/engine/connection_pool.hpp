#pragma once

// The pool's bookkeeping: idle connections, the count of open ones, and the one FIFO of calls
// waiting for a connection. It grants a call directly — an idle connection, or the right to
// open a new one — and does no I/O except closing what it discards. Not thread-safe: the
// engine holds its mutex around every member, for a few hundred nanoseconds.
//
// Idle connections expire lazily, whenever a call asks or a connection comes back: an idle
// pool holds no pending operation, so io_context::run() returns once the last call completed.
// Whether an idle connection is still quiet is checked by the attempt itself, on the
// connection's strand, right before it writes (no system call under the mutex).

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "engine/intrusive_list.hpp"
#include "time_arith.hpp"

namespace stytch::detail {

/// Sizing of a connection_pool.
struct pool_limits {
    std::size_t max_connections = 16;
    std::chrono::milliseconds idle_timeout{60'000};
    /// Idle connections (the most recently used) that keep their TLS buffers.
    std::size_t warm_idle = 8;
};

/// `Connection` needs reusable(), close(), release_buffers() and a member `idle_since`;
/// `Call` a `list_hook<Call>` at `Hook`.
template <class Connection, class Call, list_hook<Call> Call::*Hook>
class connection_pool {
  public:
    using clock = std::chrono::steady_clock;
    using connection_ptr = std::shared_ptr<Connection>;

    /// What a call was granted: a pooled connection, or (`connection` null) the right to open
    /// one, which counts as open from now on.
    struct grant {
        Call* call;
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
        if (!idle_.empty()) {
            connection_ptr conn = std::move(idle_.back());
            idle_.pop_back();
            return grant{&c, std::move(conn)};
        }
        if (open_ < limits_.max_connections) {
            ++open_;
            return grant{&c, nullptr};
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

    /// Gives back a connection — or, when `conn` is null, the right to open one that was not
    /// used or whose connection failed to open. A connection that is not reusable() is closed.
    /// Returns the grant this makes to the first queued call, if any.
    std::optional<grant> release(connection_ptr conn, clock::time_point now) {
        if (conn && (closed_ || !conn->reusable())) {
            conn->close();
            conn = nullptr;  // its slot is free again, as an unused right to open
        }
        if (!queue_.empty() && !closed_) {
            Call* c = queue_.front();
            queue_.erase(*c);
            --waiting_;
            return grant{c, std::move(conn)};
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
    }

    bool closed() const noexcept { return closed_; }
    /// Connections idle, in use or being opened.
    std::size_t open() const noexcept { return open_; }
    std::size_t idle() const noexcept { return idle_.size(); }
    bool has_queue() const noexcept { return !queue_.empty(); }
    /// Calls queued for a connection.
    std::size_t waiting() const noexcept { return waiting_; }
    /// Idle connections closed so far because they idled past `idle_timeout`.
    std::uint64_t expired_total() const noexcept { return expired_total_; }
    /// Idle connections closed so far by close().
    std::uint64_t closed_idle_total() const noexcept { return closed_idle_; }

  private:
    using queue_type = intrusive_list<Call, Hook>;

    void discard(Connection& c) {
        c.close();
        --open_;
    }

    void close_expired(clock::time_point now) {
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
    std::vector<connection_ptr> idle_;  // oldest first; reuse takes the newest
    queue_type queue_;
};

}  // namespace stytch::detail
