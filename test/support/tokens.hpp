#pragma once

// The coroutine result form the tests use: `f.run(orgs.async_delete_external_id(r, o,
// awaitable_result))` runs a call and gives its stytch::result.

#include <boost/asio/use_awaitable.hpp>

#include <stytch/as_result.hpp>

namespace stytch::test {

inline constexpr auto awaitable_result = stytch::as_result(boost::asio::use_awaitable);

}  // namespace stytch::test
