#include <stytch/b2b/organizations.hpp>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "client_impl.hpp"

namespace stytch::b2b {

void organizations::initiation::operator()(
    boost::asio::any_completion_handler<delete_external_id_signature> handler,
    delete_external_id_request request, delete_external_id_options options,
    api_error* diag) const {
    impl->start(std::move(handler), request, options, diag);
}

boost::asio::awaitable<result<delete_external_id_response>> organizations::delete_external_id(
    delete_external_id_request request, delete_external_id_options options) {
    api_error details;
    auto [ec, response] = co_await async_delete_external_id(
        std::move(request), std::move(options), details,
        boost::asio::as_tuple(boost::asio::use_awaitable));
    if (ec) {
        co_return failure{ec, std::move(details)};
    }
    co_return std::move(response);
}

}  // namespace stytch::b2b
