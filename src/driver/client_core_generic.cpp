// The client for any other execution context (a thread_pool, say): the strand wraps the
// type-erased executor.

#include "driver/client_core.hpp"
#include "driver/client_core_attempt.hpp"
#include "driver/client_core_completion.hpp"
#include "driver/client_core_factory.hpp"
#include "driver/client_core_lifetime.hpp"
#include "driver/client_core_settle.hpp"

namespace stytch::detail {

template class client_core<asio::any_io_executor>;

std::shared_ptr<client_impl> make_generic_client(asio::any_io_executor ex, client_config cfg) {
    auto inner = ex;
    return client_core<asio::any_io_executor>::create(inner, std::move(ex), std::move(cfg));
}

}  // namespace stytch::detail
