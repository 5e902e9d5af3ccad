#pragma once

// The pool's bookkeeping: idle connections, the count of open ones, and the FIFO of callers
// waiting for one. It does no I/O of its own except closing; every member runs on the client's
// strand. Waiters sleep on their own timer, which the pool cancels to wake them (the timer is
// the condition variable, its expiry the caller's deadline). Idle connections expire lazily,
// whenever a connection is acquired or released: an idle pool holds no pending operation, so
// the io_context's run() returns once the last call has completed.

#include <chrono>
#include <cstddef>
#include <memory>
#include <vector>

#include "time_arith.hpp"

namespace stytch::detail {

/// A caller waiting for a connection. Owned by the caller; queued in the pool.
template <class Connection>
struct pool_waiter {
    using timer_type = typename Connection::timer_type;

    explicit pool_waiter(timer_type& t) : wake(t) {}

    timer_type& wake;                     ///< cancelled by the pool when granted
    std::unique_ptr<Connection> granted;  ///< a pooled connection, or
    bool may_open = false;                ///< permission to open a new one
    bool queued = false;
    pool_waiter* prev = nullptr;  // the pool's FIFO, intrusive: no allocation per wait
    pool_waiter* next = nullptr;

    bool has_grant() const noexcept { return granted || may_open; }
};

template <class Connection>
class connection_pool {
  public:
    using clock = typename Connection::clock;
    using waiter = pool_waiter<Connection>;

    connection_pool(std::size_t max_connections, std::chrono::milliseconds idle_timeout)
        : max_(max_connections), idle_timeout_(idle_timeout) {}

    /// Non-blocking attempt. Returns true with `w.granted` (an idle connection that is still
    /// quiet()) or `w.may_open` set; otherwise queues `w` and returns false: wait on `w.wake`
    /// until has_grant(). Idle connections that are no longer quiet are closed on the way.
    bool try_acquire(waiter& w);

    /// Removes `w` from the queue if still queued; a grant it already got is passed on.
    void leave(waiter& w);

    /// Gives back a connection, or a permission to open one that was not used (`c == nullptr`).
    /// A connection that is not reusable() is closed. Wakes the first waiter, if any.
    void release(std::unique_ptr<Connection> c);

    /// Closes idle connections and refuses further grants; waiters are left to their owners.
    void close();

    bool closed() const noexcept { return closed_; }

  private:
    void grant(waiter& w, std::unique_ptr<Connection> c);
    void enqueue(waiter& w);
    void dequeue(waiter& w);
    void discard(std::unique_ptr<Connection> c);
    void close_expired(typename clock::time_point now);
    typename clock::time_point expiry(const Connection& c) const {
        return saturating_add(c.idle_since, idle_timeout_);  // max: never
    }

    static constexpr std::size_t warm_idle = 8;

    std::size_t max_;
    std::chrono::milliseconds idle_timeout_;
    std::size_t open_ = 0;  // idle + in use + being opened
    bool closed_ = false;
    std::vector<std::unique_ptr<Connection>> idle_;  // oldest first; reuse takes the newest
    waiter* first_waiter_ = nullptr;
    waiter* last_waiter_ = nullptr;
};

template <class Connection>
bool connection_pool<Connection>::try_acquire(waiter& w) {
    if (closed_) {
        return false;
    }
    close_expired(clock::now());
    while (!idle_.empty()) {
        std::unique_ptr<Connection> c = std::move(idle_.back());
        idle_.pop_back();
        if (c->quiet()) {
            w.granted = std::move(c);
            return true;
        }
        discard(std::move(c));  // the server spoke while it idled: whatever it said is no answer
    }
    if (open_ < max_) {
        ++open_;
        w.may_open = true;
        return true;
    }
    enqueue(w);
    return false;
}

template <class Connection>
void connection_pool<Connection>::leave(waiter& w) {
    if (w.queued) {
        dequeue(w);
    }
    // Granted but no longer wanted: hand it on so no waiter is left behind.
    if (w.granted) {
        release(std::move(w.granted));
    } else if (w.may_open) {
        w.may_open = false;
        release(nullptr);
    }
}

template <class Connection>
void connection_pool<Connection>::release(std::unique_ptr<Connection> c) {
    if (c && (!c->reusable() || closed_)) {
        discard(std::move(c));
        c = nullptr;
        if (closed_) {
            return;
        }
        // The slot of the discarded connection is free again: treat like an unused permission.
        ++open_;
    }
    if (first_waiter_ != nullptr && !closed_) {
        waiter& w = *first_waiter_;
        dequeue(w);
        grant(w, std::move(c));
        return;
    }
    if (c) {
        c->idle_since = clock::now();
        close_expired(c->idle_since);
        idle_.push_back(std::move(c));
        // Reuse takes the newest: the few most recently used keep their TLS buffers, the
        // others give them back, so a large idle pool stays small.
        if (idle_.size() > warm_idle) {
            idle_[idle_.size() - 1 - warm_idle]->release_buffers();
        }
    } else {
        --open_;
    }
}

template <class Connection>
void connection_pool<Connection>::grant(waiter& w, std::unique_ptr<Connection> c) {
    if (c) {
        w.granted = std::move(c);
    } else {
        w.may_open = true;
    }
    w.wake.cancel();
}

template <class Connection>
void connection_pool<Connection>::enqueue(waiter& w) {
    w.prev = last_waiter_;
    w.next = nullptr;
    (last_waiter_ ? last_waiter_->next : first_waiter_) = &w;
    last_waiter_ = &w;
    w.queued = true;
}

template <class Connection>
void connection_pool<Connection>::dequeue(waiter& w) {
    (w.prev ? w.prev->next : first_waiter_) = w.next;
    (w.next ? w.next->prev : last_waiter_) = w.prev;
    w.prev = w.next = nullptr;
    w.queued = false;
}

template <class Connection>
void connection_pool<Connection>::discard(std::unique_ptr<Connection> c) {
    c->close();
    --open_;
}

template <class Connection>
void connection_pool<Connection>::close() {
    closed_ = true;
    while (first_waiter_ != nullptr) {
        dequeue(*first_waiter_);
    }
    for (auto& c : idle_) {
        discard(std::move(c));
    }
    idle_.clear();
}

template <class Connection>
void connection_pool<Connection>::close_expired(typename clock::time_point now) {
    std::size_t expired = 0;
    while (expired < idle_.size() && now >= expiry(*idle_[expired])) {
        discard(std::move(idle_[expired]));
        ++expired;
    }
    idle_.erase(idle_.begin(), idle_.begin() + static_cast<std::ptrdiff_t>(expired));
}

}  // namespace stytch::detail
