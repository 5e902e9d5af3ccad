#pragma once

/// @file
/// Organizations.DeleteExternalId: `DELETE /v1/b2b/organizations/{organization_id}/external_id`.

#include <boost/asio/any_completion_handler.hpp>
#include <boost/asio/append.hpp>
#include <boost/asio/associated_allocator.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/bind_allocator.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/recycling_allocator.hpp>

#include <memory>
#include <optional>
#include <string>
#include <type_traits>

#include <stytch/b2b/organization.hpp>
#include <stytch/error.hpp>
#include <stytch/export.hpp>
#include <stytch/result.hpp>

namespace stytch {
class client;
namespace detail {
class client_impl;
}

namespace b2b {

/// Parameters of DeleteExternalId.
struct delete_external_id_request {
    /// Organization id, slug or external id. Must not be empty; percent-encoded on the wire.
    std::string organization_id{};
};

/// Member authorization for DeleteExternalId: at most one of the two may be set. With one set,
/// the call runs with that member's permissions (`X-Stytch-Member-Session` or
/// `X-Stytch-Member-SessionJWT`); with none, with the project's.
struct delete_external_id_options {
    std::optional<std::string> session_token{};  ///< a member session token
    std::optional<std::string> session_jwt{};    ///< a member session JWT
};

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

/// Handler signature of @ref organizations::async_delete_external_id.
using delete_external_id_signature = void(boost::system::error_code, delete_external_id_response);

/// The Organizations API of a @ref stytch::client. A cheap handle: copy it freely; it keeps the
/// client's shared state alive, and calls made after the client was closed fail with
/// `error::client_closed`, as do calls on a handle taken from a moved-from client (completed
/// by a post to the handler's associated executor, `system_executor` when it has none).
class STYTCH_EXPORT organizations {
  public:
    /// Deletes the external id of an organization.
    ///
    /// @param request  copied; may be destroyed once this returns.
    /// @param options  copied; may be destroyed once this returns.
    ///                 (Taken by reference, not by value: g++ 12 destroys by-value arguments
    ///                 twice when the call is written inside `co_await` with a temporary.)
    /// @param diag     receives the server's details when the call fails with an API error
    ///                 (`ec == condition::api_error`); cleared otherwise. Must stay alive until
    ///                 the operation completes.
    /// @param token    any Asio completion token for `void(error_code,
    /// delete_external_id_response)`:
    ///                 a callback, `use_future`, `deferred`, `use_awaitable`, `as_tuple(...)`.
    ///
    /// **Handler signature**: `void(boost::system::error_code, delete_external_id_response)`;
    /// the response is default-constructed unless `ec` is empty.
    ///
    /// **Errors**: `condition::invalid_request` codes before anything is sent;
    /// `condition::api_error` codes for non-2xx answers; `condition::decode_error` codes for
    /// a 2xx answer that does not decode; `asio::error::timed_out` when the deadline
    /// (`client_config::request_timeout`) or the connect timeout passes; Asio, SSL and Beast codes
    /// for transport failures (refused, TLS verification, `http::error::body_limit`, ...);
    /// `error::client_closed` when the client is closed first.
    ///
    /// **Per-operation cancellation**, through the token's cancellation slot:
    /// - `terminal` is honoured at any point: the call completes promptly with
    ///   `asio::error::operation_aborted`, and a connection it was using is closed, never
    ///   pooled;
    /// - `partial` and `total` are honoured the same way only until the request starts going
    ///   on the wire (while the call waits for a connection or one is being opened). From the
    ///   first write on, the server may act on the request, so they are ignored: the call runs
    ///   to its normal end, retries and backoff included.
    ///
    /// A coroutine's `co_await` forwards terminal cancellation only (co_spawn's default filter).
    ///
    /// **Thread-safety**: may be called from any thread. The handler runs on its associated
    /// executor (by default the client's executor).
    ///
    /// **Object lifetimes**: the client may be destroyed while the call runs; the call then
    /// completes with `error::client_closed`.
    template <class CompletionToken>
    auto async_delete_external_id(const delete_external_id_request& request,
                                  const delete_external_id_options& options, api_error& diag,
                                  CompletionToken&& token) const {
        return boost::asio::async_initiate<CompletionToken, delete_external_id_signature>(
            initiation{impl_}, token, request, options, &diag);
    }

    /// As above, without the error details.
    template <class CompletionToken>
    auto async_delete_external_id(const delete_external_id_request& request,
                                  const delete_external_id_options& options,
                                  CompletionToken&& token) const {
        return boost::asio::async_initiate<CompletionToken, delete_external_id_signature>(
            initiation{impl_}, token, request, options, static_cast<api_error*>(nullptr));
    }

    /// Coroutine form: the response, or a @ref failure with the error code and, for API
    /// errors, the server's details. Never throws for a failed call. Cancellation, errors,
    /// thread-safety and lifetimes as for @ref async_delete_external_id.
    boost::asio::awaitable<result<delete_external_id_response>> delete_external_id(
        const delete_external_id_request& request,
        const delete_external_id_options& options = {}) const;

  private:
    friend class stytch::client;
    explicit organizations(std::shared_ptr<detail::client_impl> impl) : impl_(std::move(impl)) {}

    struct result_initiation {
        std::shared_ptr<detail::client_impl> impl;
        void operator()(
            boost::asio::any_completion_handler<void(result<delete_external_id_response>)> handler,
            delete_external_id_request request, delete_external_id_options options) const;
    };

    struct initiation {
        std::shared_ptr<detail::client_impl> impl;

        template <class Handler>
        void operator()(Handler&& handler, const delete_external_id_request& request,
                        const delete_external_id_options& options, api_error* diag) const {
            if (!impl) {  // a handle from a moved-from client
                boost::asio::post(boost::asio::append(std::forward<Handler>(handler),
                                                      make_error_code(error::client_closed),
                                                      delete_external_id_response{}));
                return;
            }
            // The handler is type-erased once per call; without an allocator of its own, the
            // per-thread recycling cache makes that allocation free in steady state.
            using allocator = boost::asio::associated_allocator_t<std::decay_t<Handler>>;
            if constexpr (std::is_same_v<allocator, std::allocator<void>>) {
                start(impl,
                      boost::asio::bind_allocator(boost::asio::recycling_allocator<void>(),
                                                  std::forward<Handler>(handler)),
                      request, options, diag);
            } else {
                start(impl, std::forward<Handler>(handler), request, options, diag);
            }
        }

        static void start(const std::shared_ptr<detail::client_impl>& impl,
                          boost::asio::any_completion_handler<delete_external_id_signature> handler,
                          const delete_external_id_request& request,
                          const delete_external_id_options& options, api_error* diag);
    };

    std::shared_ptr<detail::client_impl> impl_;
};

}  // namespace b2b
}  // namespace stytch
