#pragma once

// The two instantiations of client_core, each in its own translation unit.

#include <boost/asio/io_context.hpp>

#include "driver/client_impl.hpp"

namespace stytch::detail {

/// A client whose work runs on a strand of `io` (the io_context behind `ex`).
std::shared_ptr<client_impl> make_io_context_client(boost::asio::io_context::executor_type io,
                                                    boost::asio::any_io_executor ex,
                                                    client_config cfg);

/// A client for any other execution context: the strand wraps the type-erased `ex`.
std::shared_ptr<client_impl> make_generic_client(boost::asio::any_io_executor ex,
                                                 client_config cfg);

}  // namespace stytch::detail
