// The client for executors of an io_context: the strand wraps the concrete executor type.

#include "driver/client_core.hpp"
#include "driver/client_core_attempt.hpp"
#include "driver/client_core_completion.hpp"
#include "driver/client_core_factory.hpp"
#include "driver/client_core_lifetime.hpp"
#include "driver/client_core_settle.hpp"

namespace stytch::detail {

template class client_core<asio::io_context::executor_type>;

std::shared_ptr<client_impl> make_io_context_client(asio::io_context::executor_type io,
                                                    asio::any_io_executor ex, client_config cfg) {
    return client_core<asio::io_context::executor_type>::create(io, std::move(ex), std::move(cfg));
}

}  // namespace stytch::detail
