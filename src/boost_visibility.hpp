#pragma once

// Force-included into every source file of libstytch, before anything else (-include).
//
// libstytch is compiled with hidden visibility, so that only STYTCH_EXPORT declarations leave
// libstytch.so. Boost.Asio and Beast are header-only and keep state in statics that the library
// and the program using it must share, not duplicate: error categories compared by address (a
// hidden copy makes the library's `http::error::body_limit`, `asio::error::eof` or SSL errors
// unequal to the program's: test/cmake_consumer checks it), and the per-thread call stack that
// tells Asio's scheduler which thread runs it (a hidden copy reads null in the library, and
// scheduler::compensating_work_started dereferences it). Including their headers here first,
// under default visibility, gives those entities default visibility wherever they are included
// later (include guards), as without -fvisibility=hidden; the library's own code stays hidden.
#pragma GCC visibility push(default)
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#pragma GCC visibility pop
