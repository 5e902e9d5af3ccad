#pragma once

// Tells the clients of an execution context that it is being destroyed. An io_context
// destroyed before its clients, or with calls in flight, destroys its pending operations (the
// calls' coroutines and posted steps) without running them; this service's shutdown() runs
// first (services shut down newest first, the scheduler, which destroys those operations,
// last), so each client can let go of its calls, connections and timers while the context's
// services still exist, and never touch them afterwards.

#include <boost/asio/execution_context.hpp>

#include <memory>
#include <mutex>
#include <vector>

namespace stytch::detail {

/// What context_watch tells a client.
class context_bound {
  public:
    /// The execution context is being destroyed and runs nothing any more. Called once, on the
    /// thread destroying it, before its pending operations are destroyed.
    virtual void context_lost() noexcept = 0;

  protected:
    ~context_bound() = default;
};

/// An Asio service: one per execution context, created by the first client on it.
class context_watch final : public boost::asio::execution_context::service {
  public:
    static boost::asio::execution_context::id id;

    explicit context_watch(boost::asio::execution_context& ctx);

    /// Registers `client` (held weakly: a client gone first is skipped). Thread-safe.
    static void watch(boost::asio::execution_context& ctx, std::weak_ptr<context_bound> client);

  private:
    void shutdown() override;

    std::mutex mutex_;
    std::vector<std::weak_ptr<context_bound>> clients_;
};

}  // namespace stytch::detail
