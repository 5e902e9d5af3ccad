#pragma once

/// @file
/// The result type of the stytch::as_result() form, and the exception that carries the
/// server's details.

#include <boost/assert/source_location.hpp>
#include <boost/system/result.hpp>
#include <boost/system/system_error.hpp>

#include <stytch/error.hpp>
#include <stytch/export.hpp>

namespace stytch {

/// Why a call failed: the error code, plus the server's details for API errors
/// (`details.status_code == 0` when the failure happened before or without an answer).
struct failure {
    /// What went wrong; compare with `stytch::condition` values.
    boost::system::error_code code{};
    /// The server's error details for API errors; `status_code == 0` otherwise. For
    /// `error::missing_field` and `error::unexpected_type`, `decode_path` names the failing
    /// JSON value.
    api_error details{};

    /// Member-wise equality.
    friend bool operator==(const failure&, const failure&) = default;
};

/// Prints what error_with_details::what() says: the details when there are any, then the
/// code's message and `[category:value]`. With it, `stytch::result<T>` prints too (as
/// `error:...` or `value:...`), in `BOOST_TEST` and gtest messages alike.
STYTCH_EXPORT std::ostream& operator<<(std::ostream& os, const failure& f);

/// A `boost::system::system_error` that keeps the server's details of a failed call.
///
/// Thrown by `result<T>::value()` on a failed result (see stytch::as_result()). Catch it as
/// `boost::system::system_error` (or `std::exception`) where the details do not matter: `code()`
/// is the call's error code. `what()` names the error type, the request id and the server's
/// message when there are any, then the code's own text, e.g.
/// `organization_not_found (HTTP 404, request_id request-id-test-...): <server's message>: the
/// organization was not found (organization_not_found) [stytch:17]`.
class STYTCH_EXPORT error_with_details : public boost::system::system_error {
  public:
    /// Takes the failure's code and details.
    explicit error_with_details(failure f);

    /// The server's details (`status_code == 0` when there was no answer).
    const api_error& details() const noexcept { return details_; }

  private:
    api_error details_;
};

/// Throws @ref error_with_details for `f`; used by `result<T>::value()`.
[[noreturn]] STYTCH_EXPORT void throw_exception_from_error(const failure& f,
                                                           const boost::source_location& loc);

/// A value or a @ref failure.
template <class T>
using result = boost::system::result<T, failure>;

}  // namespace stytch
