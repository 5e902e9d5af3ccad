#include "driver/context_watch.hpp"

#include <boost/asio/execution_context.hpp>

namespace stytch::detail {

boost::asio::execution_context::id context_watch::id;

context_watch::context_watch(boost::asio::execution_context& ctx)
    : boost::asio::execution_context::service(ctx) {}

void context_watch::watch(boost::asio::execution_context& ctx,
                          std::weak_ptr<context_bound> client) {
    auto& self = boost::asio::use_service<context_watch>(ctx);
    std::lock_guard held(self.mutex_);
    // Clients come and go over a long-lived context: forget those gone.
    std::erase_if(self.clients_, [](const auto& c) { return c.expired(); });
    self.clients_.push_back(std::move(client));
}

void context_watch::shutdown() {
    std::vector<std::weak_ptr<context_bound>> clients;
    {
        std::lock_guard held(mutex_);
        clients.swap(clients_);
    }
    for (const auto& weak : clients) {
        if (auto client = weak.lock()) {
            client->context_lost();
        }
    }
}

}  // namespace stytch::detail
