#pragma once

/// @file
/// The result type of the coroutine API.

#include <boost/assert/source_location.hpp>
#include <boost/system/result.hpp>

#include <stytch/error.hpp>
#include <stytch/export.hpp>

namespace stytch {

/// Why a call failed: the error code, plus the server's details for API errors
/// (`details.status_code == 0` when the failure happened before or without an answer).
struct failure {
    /// What went wrong; compare with `stytch::condition` values.
    boost::system::error_code code{};
    /// The server's error details for API errors; `status_code == 0` otherwise.
    api_error details{};

    /// Member-wise equality.
    friend bool operator==(const failure&, const failure&) = default;
};

/// Throws `boost::system::system_error(f.code)`; used by `result<T>::value()`.
[[noreturn]] STYTCH_EXPORT void throw_exception_from_error(const failure& f,
                                                           const boost::source_location& loc);

/// A value or a @ref failure.
template <class T>
using result = boost::system::result<T, failure>;

}  // namespace stytch
