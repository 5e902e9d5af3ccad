#pragma once

/// @file
/// Organizations.DeleteExternalId: `DELETE /v1/b2b/organizations/{organization_id}/external_id`.

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/append.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/asio/deferred.hpp>
#include <boost/asio/post.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

#include <stytch/as_result.hpp>
#include <stytch/b2b/delete_external_id.hpp>
#include <stytch/b2b/organization.hpp>
#include <stytch/detail/erased_completion.hpp>
#include <stytch/detail/owned_text.hpp>
#include <stytch/error.hpp>
#include <stytch/export.hpp>
#include <stytch/result.hpp>

namespace stytch {
class client;
namespace detail {
class client_impl;
}

namespace b2b {

/// The Organizations API of a @ref stytch::client. A cheap handle: copy it freely; it keeps the
/// client's shared state alive, and calls made after the client was closed fail with
/// `error::client_closed`, as do calls on a handle taken from a moved-from client (completed
/// by a post to the handler's associated executor, `system_executor` when it has none).
class STYTCH_EXPORT organizations {
  public:
    /// The executor type of the client (see client::executor_type).
    using executor_type = boost::asio::any_io_executor;

    /// The completion token used when none is given: the executor type's default completion
    /// token, `asio::deferred` when it has none (Boost before 1.86, where
    /// `asio::default_completion_token_t<any_io_executor>` is `void`).
    using default_completion_token_type =
        std::conditional_t<std::is_void_v<boost::asio::default_completion_token_t<executor_type>>,
                           boost::asio::deferred_t,
                           boost::asio::default_completion_token_t<executor_type>>;

    /// Deletes the external id of an organization.
    ///
    /// @param request  a view, copied before this returns (see delete_external_id_request).
    /// @param options  views and a timeout, copied before this returns.
    /// @param token    any Asio completion token for `void(error_code,
    ///                 delete_external_id_response)`: a callback, `use_future`, `deferred`,
    ///                 `use_awaitable` (from an `awaitable<T, Executor>` of any executor, a
    ///                 strand included), `as_tuple(...)`; or `stytch::as_result(token)` for
    ///                 `void(stytch::result<delete_external_id_response>)`, which carries the
    ///                 server's details of a failure. Default: @ref default_completion_token_type,
    ///                 so `co_await orgs.async_delete_external_id({id})` works.
    ///
    /// **Handler signature**: `void(boost::system::error_code, delete_external_id_response)`;
    /// the response is default-constructed unless `ec` is empty. With as_result():
    /// `void(stytch::result<delete_external_id_response>)`.
    ///
    /// **Errors**: `condition::invalid_request` codes before anything is sent (an empty id, a
    /// control character in a header value, both session kinds, an empty session credential,
    /// a timeout that is not positive); `condition::api_error` codes for non-2xx answers (the
    /// server's details through as_result()); `condition::decode_error` codes for a 2xx answer
    /// that does not decode; `asio::error::timed_out` when the call's deadline
    /// (`options.timeout`, else `client_config::request_timeout`) or the connect timeout
    /// passes; Asio, SSL and Beast codes for transport failures (refused, TLS verification,
    /// `http::error::body_limit`, ...); `error::client_closed` when the client is closed
    /// first. Tokens that throw (`use_awaitable`, `use_future`) throw Asio's
    /// `boost::system::system_error` with that code; through as_result(), `result::value()`
    /// throws @ref stytch::error_with_details, which keeps the server's details.
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
    /// **Memory**: the handler is kept in memory from its associated allocator (without one,
    /// from a per-thread cache: no heap allocation in steady state), given back before it
    /// runs. The response reaches it as an rvalue, not moved on the way.
    ///
    /// **Thread-safety**: may be called from any thread. The handler runs on its associated
    /// executor (by default the client's executor).
    ///
    /// **Object lifetimes**: `request` and `options` are copied before this returns, whatever
    /// the token (a `deferred` operation may be started after they are gone). The client may
    /// be destroyed while the call runs; the call then completes with `error::client_closed`.
    template <class CompletionToken = default_completion_token_type>
    auto async_delete_external_id(const delete_external_id_request& request,
                                  const delete_external_id_options& options = {},
                                  CompletionToken&& token = default_completion_token_type{}) const {
        return boost::asio::async_initiate<CompletionToken, delete_external_id_signature>(
            initiation{impl_}, token, static_cast<api_error*>(nullptr),
            owned_arguments{detail::owned_text(request.organization_id),
                            copy(options.session_token), copy(options.session_jwt),
                            options.timeout});
    }

  private:
    friend class stytch::client;
    explicit organizations(std::shared_ptr<detail::client_impl> impl) : impl_(std::move(impl)) {}

    // The call's arguments, owned: what a lazy token (deferred, use_awaitable) keeps until the
    // operation starts.
    struct owned_arguments {
        detail::owned_text organization_id;  // inline: no allocation per call for usual ids
        std::optional<std::string> session_token;
        std::optional<std::string> session_jwt;
        std::optional<std::chrono::milliseconds> timeout;
    };

    static std::optional<std::string> copy(std::optional<std::string_view> s) {
        return s ? std::optional<std::string>(std::in_place, *s) : std::nullopt;
    }

    struct initiation {
        std::shared_ptr<detail::client_impl> impl;

        // `diag`: where the server's details go, null when nobody asked (see as_result).
        template <class Handler>
        void operator()(Handler&& handler, api_error* diag, const owned_arguments& args) const {
            if (!impl) {  // a handle from a moved-from client
                boost::asio::post(boost::asio::append(std::forward<Handler>(handler),
                                                      make_error_code(error::client_closed),
                                                      delete_external_id_response{}));
                return;
            }
            start(impl, handler_type(std::forward<Handler>(handler)), diag, args);
        }

        // Type-erased once per call; a handler without an allocator of its own takes its
        // memory from the library's per-thread cache, free in steady state.
        using handler_type = detail::erased_completion<delete_external_id_response>;
        static void start(const std::shared_ptr<detail::client_impl>& impl, handler_type handler,
                          api_error* diag, const owned_arguments& args);
    };

    std::shared_ptr<detail::client_impl> impl_;
};

}  // namespace b2b
}  // namespace stytch
