#include "net/connection_pool.hpp"

namespace stytch::detail {

connection_pool::connection_pool(const boost::asio::any_io_executor& ex,
                                 std::size_t max_connections,
                                 std::chrono::milliseconds idle_timeout)
    : max_(max_connections), idle_timeout_(idle_timeout), sweep_timer_(ex) {}

bool connection_pool::try_acquire(pool_waiter& w) {
    if (closed_) {
        return false;
    }
    close_expired(clock::now());
    if (!idle_.empty()) {
        w.granted = std::move(idle_.back());
        idle_.pop_back();
        return true;
    }
    if (open_ < max_) {
        ++open_;
        w.may_open = true;
        return true;
    }
    w.position = waiters_.insert(waiters_.end(), &w);
    w.queued = true;
    return false;
}

void connection_pool::leave(pool_waiter& w) {
    if (w.queued) {
        waiters_.erase(w.position);
        w.queued = false;
    }
    // Granted but no longer wanted: hand it on so no waiter is left behind.
    if (w.granted) {
        release(std::move(w.granted));
    } else if (w.may_open) {
        w.may_open = false;
        release(nullptr);
    }
}

void connection_pool::release(std::unique_ptr<connection> c) {
    if (c && (!c->reusable() || closed_)) {
        discard(std::move(c));
        c = nullptr;
        if (closed_) {
            return;
        }
        // The slot of the discarded connection is free again: treat like an unused permission.
        ++open_;
    }
    if (!waiters_.empty() && !closed_) {
        pool_waiter& w = *waiters_.front();
        waiters_.pop_front();
        w.queued = false;
        grant(w, std::move(c));
        return;
    }
    if (c) {
        c->idle_since = clock::now();
        idle_.push_back(std::move(c));
        schedule_sweep();
    } else {
        --open_;
    }
}

void connection_pool::grant(pool_waiter& w, std::unique_ptr<connection> c) {
    if (c) {
        w.granted = std::move(c);
    } else {
        w.may_open = true;
    }
    w.wake.cancel();
}

void connection_pool::discard(std::unique_ptr<connection> c) {
    c->close();
    --open_;
}

void connection_pool::close() {
    closed_ = true;
    for (pool_waiter* w : waiters_) {
        w->queued = false;
    }
    waiters_.clear();
    for (auto& c : idle_) {
        discard(std::move(c));
    }
    idle_.clear();
    sweep_timer_.cancel();
}

void connection_pool::close_expired(clock::time_point now) {
    std::size_t expired = 0;
    while (expired < idle_.size() && now - idle_[expired]->idle_since >= idle_timeout_) {
        discard(std::move(idle_[expired]));
        ++expired;
    }
    idle_.erase(idle_.begin(), idle_.begin() + static_cast<std::ptrdiff_t>(expired));
}

void connection_pool::schedule_sweep() {
    auto keep_alive = owner_.lock();
    if (sweep_scheduled_ || idle_.empty() || closed_ || !keep_alive) {
        return;
    }
    sweep_scheduled_ = true;
    sweep_timer_.expires_at(idle_.front()->idle_since + idle_timeout_);
    sweep_timer_.async_wait([this, keep_alive](boost::system::error_code ec) {
        sweep_scheduled_ = false;
        if (ec || closed_) {
            return;
        }
        close_expired(clock::now());
        schedule_sweep();
    });
}

}  // namespace stytch::detail
