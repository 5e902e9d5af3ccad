#pragma once

// What the pool grants a call (see connection_pool.hpp), after hyper's pool: a shared entry, a
// unique one, or the reservation of a slot to connect.

namespace stytch::detail {

enum class pool_entry : unsigned char {
    shared,   ///< one stream on an HTTP/2 connection that goes on serving other calls
    unique,   ///< an idle connection, the call's alone until it is given back
    to_open,  ///< the right to open a new connection, whose slot counts as open from now on
};

}  // namespace stytch::detail
