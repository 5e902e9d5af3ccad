#include <stytch/client.hpp>

#include "driver/client_impl.hpp"

namespace stytch {

client::client(executor_type ex, client_config cfg)
    : impl_(detail::client_impl::create(std::move(ex), std::move(cfg))) {}

client::client(client&&) noexcept = default;

client& client::operator=(client&& other) noexcept {
    if (this != &other) {
        if (impl_) {
            impl_->close();
        }
        impl_ = std::move(other.impl_);
    }
    return *this;
}

client::~client() {
    if (impl_) {
        impl_->close();
    }
}

client::executor_type client::get_executor() const {
    return impl_ ? impl_->get_executor() : executor_type();
}

const client_config& client::config() const {
    static const client_config none;
    return impl_ ? impl_->config() : none;
}

b2b::organizations client::organizations() const {
    return b2b::organizations(impl_);
}

client_stats client::stats() const {
    return impl_ ? impl_->stats() : client_stats{};
}

void client::close() {
    if (impl_) {
        impl_->close();
    }
}

}  // namespace stytch
