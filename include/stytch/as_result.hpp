#pragma once

/// @file
/// stytch::as_result: a completion token adapter that turns `void(error_code, T)` into
/// `void(stytch::result<T>)`, with the server's details in the failure.

#include <boost/asio/associator.hpp>
#include <boost/asio/async_result.hpp>
#include <boost/system/error_code.hpp>

#include <memory>
#include <type_traits>
#include <utility>

#include <stytch/error.hpp>
#include <stytch/result.hpp>

namespace stytch {

/// The token made by stytch::as_result(): completes the wrapped token with one
/// `stytch::result<T>` instead of `(error_code, T)`.
template <class CompletionToken>
struct as_result_t {
    /// The wrapped token: a callback, `asio::use_awaitable`, `asio::deferred`, `use_future`...
    CompletionToken token;
};

/// Adapts a completion token to the result form of an operation with the signature
/// `void(boost::system::error_code, T)`, such as b2b::organizations::async_delete_external_id.
///
/// The adapted operation completes `token` with the signature `void(stytch::result<T>)`:
/// - on success, a result holding the value;
/// - on failure, a result holding a stytch::failure: the error code, and for this library's
///   operations the server's details (`request_id`, `error_type`, ... of an API error;
///   `details.status_code == 0` when there was no answer). With another library's operation
///   (Asio's, say), the details are empty.
///
/// It never throws for a failed call: `result<T>::value()` throws stytch::error_with_details,
/// which derives from `boost::system::system_error` and keeps the details. So
/// `co_await op(..., as_result(asio::use_awaitable))` and
/// `op(..., as_result(asio::use_future)).get()` hand back the result, and `.value()` on it is
/// the throwing form. (A plain `use_awaitable` or `use_future` throws Asio's own
/// `system_error`, which has the code only.)
///
/// **Handler signature** of the adapted token: `void(stytch::result<T>)`.
///
/// **Per-operation cancellation**, the handler's associated executor and allocator: those of
/// the wrapped token's handler, unchanged.
///
/// **Thread-safety**: a token is a value; nothing is shared.
///
/// **Errors**: none of its own; the operation's error codes arrive in `failure::code`.
template <class CompletionToken>
constexpr as_result_t<std::decay_t<CompletionToken>> as_result(CompletionToken&& token) {
    return {std::forward<CompletionToken>(token)};
}

namespace detail {

/// Wraps a `void(result<T>)` handler as a `void(error_code, T)` one. Owns the storage the
/// operation writes the server's details into.
template <class Handler, class T>
struct as_result_handler {
    // By reference: the value is moved once, into the result (an operation that passes an
    // lvalue has it copied there).
    template <class Value>
    void operator()(boost::system::error_code ec, Value&& value) {
        if (ec) {
            std::move(handler)(
                result<T>(boost::system::in_place_error, failure{ec, std::move(*details)}));
        } else {
            std::move(handler)(result<T>(std::forward<Value>(value)));
        }
    }

    Handler handler;
    std::unique_ptr<api_error> details = std::make_unique<api_error>();
};

/// Whether an initiation's first argument is the address for the details.
template <class... Args>
constexpr bool takes_details = false;
template <class First, class... Rest>
constexpr bool takes_details<First, Rest...> = std::is_same_v<std::decay_t<First>, api_error*>;

/// Runs an initiation with the handler wrapped. This library's initiations take the address
/// for the details as their first argument (null when nobody wants them); it is replaced by
/// the wrapper's own storage. Other initiations get the wrapper only.
template <class Initiation, class T>
struct as_result_initiation {
    template <class Handler, class... Args>
    void operator()(Handler&& handler, Args&&... args) {
        as_result_handler<std::decay_t<Handler>, T> wrapped{std::forward<Handler>(handler)};
        if constexpr (takes_details<Args...>) {
            forward_details(std::move(wrapped), std::forward<Args>(args)...);
        } else {
            std::move(initiation)(std::move(wrapped), std::forward<Args>(args)...);
        }
    }

  private:
    template <class Wrapped, class... Rest>
    void forward_details(Wrapped&& wrapped, api_error*, Rest&&... rest) {
        api_error* details = wrapped.details.get();
        std::move(initiation)(std::move(wrapped), details, std::forward<Rest>(rest)...);
    }

  public:
    Initiation initiation;
};

}  // namespace detail
}  // namespace stytch

namespace boost::asio {

/// The signature transformation of stytch::as_result.
template <class CompletionToken, class T>
struct async_result<stytch::as_result_t<CompletionToken>, void(boost::system::error_code, T)> {
    /// Initiates the operation with the wrapped token and a wrapped handler.
    template <class Initiation, class RawToken, class... Args>
    static auto initiate(Initiation&& initiation, RawToken&& token, Args&&... args) {
        // `token.token` is an lvalue, const when `token` is: what async_initiate takes.
        using inner = std::conditional_t<std::is_const_v<std::remove_reference_t<RawToken>>,
                                         const CompletionToken, CompletionToken>;
        return async_initiate<inner, void(stytch::result<T>)>(
            stytch::detail::as_result_initiation<std::decay_t<Initiation>, T>{
                std::forward<Initiation>(initiation)},
            token.token, std::forward<Args>(args)...);
    }
};

/// The wrapped handler keeps the associations (executor, cancellation slot, allocator, ...)
/// of the handler it wraps.
template <template <class, class> class Associator, class Handler, class T, class DefaultCandidate>
struct associator<Associator, stytch::detail::as_result_handler<Handler, T>, DefaultCandidate>
    : Associator<Handler, DefaultCandidate> {
    /// The wrapped handler's association.
    static typename Associator<Handler, DefaultCandidate>::type get(
        const stytch::detail::as_result_handler<Handler, T>& h) noexcept {
        return Associator<Handler, DefaultCandidate>::get(h.handler);
    }

    /// The wrapped handler's association, or `c`.
    static auto get(const stytch::detail::as_result_handler<Handler, T>& h,
                    const DefaultCandidate& c) noexcept
        -> decltype(Associator<Handler, DefaultCandidate>::get(h.handler, c)) {
        return Associator<Handler, DefaultCandidate>::get(h.handler, c);
    }
};

}  // namespace boost::asio
