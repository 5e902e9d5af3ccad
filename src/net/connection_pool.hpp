#pragma once

// The pool's bookkeeping: idle connections, the count of open ones, and the FIFO of callers
// waiting for one. It does no I/O of its own except closing; every member runs on the client's
// strand. Waiters sleep on their own timer, which the pool cancels to wake them (the timer is
// the condition variable, its expiry the caller's deadline).

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <cstddef>
#include <list>
#include <memory>
#include <vector>

#include "net/connection.hpp"

namespace stytch::detail {

/// A caller waiting for a connection. Owned by the caller; queued in the pool.
struct pool_waiter {
    explicit pool_waiter(boost::asio::steady_timer& t) : wake(t) {}

    boost::asio::steady_timer& wake;      ///< cancelled by the pool when granted
    std::unique_ptr<connection> granted;  ///< a pooled connection, or
    bool may_open = false;                ///< permission to open a new one
    bool queued = false;
    std::list<pool_waiter*>::iterator position;

    bool has_grant() const noexcept { return granted || may_open; }
};

class connection_pool {
  public:
    using clock = connection::clock;

    connection_pool(const boost::asio::any_io_executor& ex, std::size_t max_connections,
                    std::chrono::milliseconds idle_timeout);

    /// The object that owns the pool; a pending idle sweep keeps it alive so the sweep never
    /// runs after the pool is gone.
    void set_owner(std::weak_ptr<void> owner) { owner_ = std::move(owner); }

    /// Non-blocking attempt. Returns true with `w.granted` (an idle connection) or `w.may_open`
    /// set; otherwise queues `w` and returns false: wait on `w.wake` until has_grant().
    bool try_acquire(pool_waiter& w);

    /// Removes `w` from the queue if still queued; a grant it already got is passed on.
    void leave(pool_waiter& w);

    /// Gives back a connection, or a permission to open one that was not used (`c == nullptr`).
    /// A connection that is not reusable() is closed. Wakes the first waiter, if any.
    void release(std::unique_ptr<connection> c);

    /// Closes idle connections and refuses further grants; waiters are left to their owners.
    void close();

    bool closed() const noexcept { return closed_; }
    std::size_t open_connections() const noexcept { return open_; }
    std::size_t idle_connections() const noexcept { return idle_.size(); }

  private:
    void grant(pool_waiter& w, std::unique_ptr<connection> c);
    void discard(std::unique_ptr<connection> c);
    void close_expired(clock::time_point now);
    void schedule_sweep();

    std::size_t max_;
    std::chrono::milliseconds idle_timeout_;
    std::size_t open_ = 0;  // idle + in use + being opened
    bool closed_ = false;
    std::vector<std::unique_ptr<connection>> idle_;  // oldest first; reuse takes the newest
    std::list<pool_waiter*> waiters_;
    boost::asio::steady_timer sweep_timer_;
    bool sweep_scheduled_ = false;
    std::weak_ptr<void> owner_;
};

}  // namespace stytch::detail
