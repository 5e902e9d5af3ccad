#pragma once

// The HTTP/2 run of a suite: the same test binary run again with STYTCH_TEST_HTTP_VERSION=2
// (its own ctest entry, `<suite>_h2`). Then `server_fixture`'s default server offers h2 and
// its `config()` requires it; tests that only apply to HTTP/1.1 say so with a decorator:
//
//     BOOST_AUTO_TEST_CASE(name, *http1_only("a raw HTTP/1.1 status line"))

#include <boost/test/tree/decorator.hpp>

#include <string>

namespace stytch::test {

/// True in the HTTP/2 run: STYTCH_TEST_HTTP_VERSION is "2" (unset or "1.1": the HTTP/1.1
/// run; any other value throws, so a typo does not silently run HTTP/1.1).
bool over_http2();

/// Decorator: the HTTP/2 run skips this test (or suite), since it asserts what only
/// HTTP/1.1 has (`why`: bytes on the wire, Connection: close, ...).
boost::unit_test::decorator::precondition http1_only(std::string why);

}  // namespace stytch::test
