#pragma once

// Sans-io response decoding: JSON body to value types, and error answers to error codes.

#include <boost/system/error_code.hpp>

#include <cstddef>
#include <string>
#include <string_view>

#include <stytch/b2b/delete_external_id.hpp>
#include <stytch/error.hpp>

namespace stytch::detail {

/// The default of `client_config::max_json_depth`.
inline constexpr std::size_t default_max_json_depth = 64;

/// Decodes a 2xx body. `status_code` is taken from the body, or `http_status` when absent.
/// `max_json_depth` bounds the nesting of every value the typed fields do not describe (a
/// free-form member such as `trusted_metadata`, or an unknown member, which is skipped),
/// counting that value's own object or array as 1; the typed path around it does not count.
/// Errors: `error::malformed_json`, `error::json_too_deep` (parsing stops there),
/// `error::non_finite_number` (a number anywhere in the body beyond the range of a double),
/// `error::missing_field`, `error::unexpected_type`; for those two, `*failure_location` (when
/// given) receives the JSON path of the failing value, e.g.
/// `organization.custom_roles[2].permissions[0].resource_id` (built only on failure). Success
/// is the empty error_code. Only std::bad_alloc can escape; on error `out` is unspecified but
/// valid.
boost::system::error_code decode_delete_external_id(
    int http_status, std::string_view body, b2b::delete_external_id_response& out,
    std::size_t max_json_depth = default_max_json_depth, std::string* failure_location = nullptr);

/// Decodes a non-2xx answer into `out` (Stytch shape, OAuth2 shape, or any other body, which
/// leaves only `status_code`) and returns its error code (@ref error_code_for). A body with a
/// top-level member nesting deeper than `max_json_depth` (same count as above) is read like a
/// non-JSON body; `error_details` holding a number beyond the range of a double is left null.
/// Never throws.
boost::system::error_code decode_api_error(int http_status, std::string_view body, api_error& out,
                                           std::size_t max_json_depth = default_max_json_depth);

/// The code for a non-2xx answer: the known error_type's own code, else by status class
/// (`client_error`, `server_error`, `unexpected_status`).
boost::system::error_code error_code_for(int http_status, std::string_view error_type) noexcept;

}  // namespace stytch::detail
