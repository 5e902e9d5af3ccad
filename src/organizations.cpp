#include <stytch/b2b/organizations.hpp>

#include "driver/client_impl.hpp"

namespace stytch::b2b {

void organizations::initiation::start(const std::shared_ptr<detail::client_impl>& impl,
                                      handler_type handler, api_error* diag,
                                      const owned_arguments& args) {
    impl->start(std::move(handler), {args.organization_id.view()},
                {args.session_token, args.session_jwt, args.timeout}, diag);
}

}  // namespace stytch::b2b
