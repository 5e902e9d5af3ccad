#pragma once

// Sans-io response decoding: JSON body to value types, and error answers to error codes.

#include <boost/system/error_code.hpp>

#include <string_view>

#include <stytch/b2b/organizations.hpp>
#include <stytch/error.hpp>

namespace stytch::detail {

/// Decodes a 2xx body. `status_code` is taken from the body, or `http_status` when absent.
/// Errors: `error::malformed_json`, `error::missing_field`, `error::unexpected_type`. Never
/// throws; on error `out` is unspecified but valid.
boost::system::error_code decode_delete_external_id(int http_status, std::string_view body,
                                                    b2b::delete_external_id_response& out);

/// Decodes a non-2xx answer into `out` (Stytch shape, OAuth2 shape, or any other body, which
/// leaves only `status_code`) and returns its error code (@ref error_code_for). Never throws.
boost::system::error_code decode_api_error(int http_status, std::string_view body, api_error& out);

/// The code for a non-2xx answer: the known error_type's own code, else by status class
/// (`client_error`, `server_error`, `unexpected_status`).
boost::system::error_code error_code_for(int http_status, std::string_view error_type) noexcept;

}  // namespace stytch::detail
