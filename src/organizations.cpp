#include <stytch/b2b/organizations.hpp>

#include <boost/asio/any_completion_executor.hpp>
#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/bind_cancellation_slot.hpp>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "client_impl.hpp"

namespace stytch::b2b {

namespace asio = boost::asio;

void organizations::initiation::start(
    const std::shared_ptr<detail::client_impl>& impl,
    asio::any_completion_handler<delete_external_id_signature> handler,
    const delete_external_id_request& request, const delete_external_id_options& options,
    api_error* diag) {
    impl->start(std::move(handler), request, options, diag);
}

void organizations::result_initiation::operator()(
    asio::any_completion_handler<void(result<delete_external_id_response>)> handler,
    delete_external_id_request request, delete_external_id_options options) const {
    // Adapts void(error_code, response) + details to void(result), keeping the handler's
    // executor and cancellation slot.
    auto details = std::make_unique<api_error>();
    api_error* diag = details.get();
    auto ex = asio::get_associated_executor(handler, impl->get_executor());
    auto slot = asio::get_associated_cancellation_slot(handler);
    auto adapt = [h = std::move(handler), details = std::move(details)](
                     boost::system::error_code ec, delete_external_id_response r) mutable {
        if (ec) {
            std::move(h)(result<delete_external_id_response>(boost::system::in_place_error,
                                                             failure{ec, std::move(*details)}));
        } else {
            std::move(h)(result<delete_external_id_response>(std::move(r)));
        }
    };
    impl->start(asio::bind_cancellation_slot(slot, asio::bind_executor(ex, std::move(adapt))),
                request, options, diag);
}

// Not a coroutine, and the arguments by reference: g++ 12 destroys by-value arguments twice
// when a call with temporaries is written inside co_await, which is how callers write
// `co_await orgs.delete_external_id({id})`. async_initiate copies them into the awaitable.
asio::awaitable<result<delete_external_id_response>> organizations::delete_external_id(
    const delete_external_id_request& request, const delete_external_id_options& options) const {
    if (!impl_) {  // a handle from a moved-from client
        return []() -> asio::awaitable<result<delete_external_id_response>> {
            co_return result<delete_external_id_response>(boost::system::in_place_error,
                                                          failure{error::client_closed, {}});
        }();
    }
    return asio::async_initiate<const asio::use_awaitable_t<>,
                                void(result<delete_external_id_response>)>(
        result_initiation{impl_}, asio::use_awaitable, request, options);
}

}  // namespace stytch::b2b
