#pragma once

/// @file
/// The value types of Organizations.DeleteExternalId: its request, options and response, and
/// the handler signature. No Asio: the library's sans-io layers (codec, engine) use them too;
/// the call itself is in <stytch/b2b/organizations.hpp>.

#include <boost/json/fwd.hpp>
#include <boost/system/error_code.hpp>

#include <chrono>
#include <iosfwd>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

#include <stytch/b2b/organization.hpp>
#include <stytch/export.hpp>

namespace stytch::b2b {

/// Parameters of DeleteExternalId.
///
/// A view: the string only needs to live until async_delete_external_id() returns, which
/// copies it (so a temporary `std::string` in the call expression is fine). Trivially
/// destructible on purpose: g++ 12 destroys a temporary aggregate that has a destructor twice
/// when it lives across a `co_await` (a request holding a `std::string` made
/// `co_await orgs.async_delete_external_id({std::string(id)})` a double free).
struct delete_external_id_request {
    /// Organization id, slug or external id. Must not be empty; percent-encoded on the wire.
    /// @warning A view: the string must outlive the call to async_delete_external_id() (not
    /// the operation, which copies it).
    std::string_view organization_id{};
};

/// Options of DeleteExternalId: member authorization and a per-call timeout.
///
/// Views, like the request: the strings only need to live until async_delete_external_id()
/// returns. Do not assign a temporary to a member of a named options object
/// (`options.session_token = make_token();` leaves a dangling view): keep the string in a
/// variable, or write the options in the call expression itself.
///
/// At most one of `session_token` and `session_jwt` may be set. With one set, the call runs
/// with that member's permissions (`X-Stytch-Member-Session` or `X-Stytch-Member-SessionJWT`);
/// with none, with the project's.
struct delete_external_id_options {
    /// A member session token.
    /// @warning A view, as `session_jwt`: `options.session_token = make_token();` dangles. The
    /// string must outlive the call to async_delete_external_id() (which copies it).
    std::optional<std::string_view> session_token{};
    std::optional<std::string_view> session_jwt{};  ///< a member session JWT (a view too)
    /// Deadline of this call, from when it starts: waiting for a connection, connecting,
    /// writing, reading, retries and backoff. Unset: `client_config::request_timeout`. Must be
    /// positive (`error::invalid_timeout` otherwise, nothing sent); huge values saturate. The
    /// connect timeout still bounds each new connection.
    std::optional<std::chrono::milliseconds> timeout{};
};

static_assert(std::is_trivially_destructible_v<delete_external_id_request> &&
                  std::is_trivially_destructible_v<delete_external_id_options>,
              "no destructor: g++ 12 runs that of a co_await temporary twice");

/// A successful answer.
struct delete_external_id_response {
    std::string request_id{};          ///< Stytch request id
    int status_code = 0;               ///< HTTP status (200)
    b2b::organization organization{};  ///< the organization, now without external id

    friend bool operator==(const delete_external_id_response&,
                           const delete_external_id_response&) = default;
};

/// JSON encoding with the API's field names (for `boost::json::value_from`).
STYTCH_EXPORT void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv,
                              const delete_external_id_response& r);

/// Prints the response as its compact JSON encoding, for test frameworks' messages and logs.
STYTCH_EXPORT std::ostream& operator<<(std::ostream& os, const delete_external_id_response& r);

/// Handler signature of @ref organizations::async_delete_external_id.
using delete_external_id_signature = void(boost::system::error_code, delete_external_id_response);

}  // namespace stytch::b2b
