#include "driver/client_impl.hpp"

#include <boost/asio/io_context.hpp>
#include <boost/asio/prefer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/system/system_error.hpp>
#include <boost/throw_exception.hpp>

#include "codec/no_proxy.hpp"
#include "driver/client_core_factory.hpp"
#include "transport/tls_context.hpp"

namespace stytch::detail {

namespace asio = boost::asio;

namespace {
endpoint checked_endpoint(const client_config& cfg) {
    if (auto ec = cfg.validate()) {
        BOOST_THROW_EXCEPTION(boost::system::system_error(ec, "stytch::client_config"));
    }
    auto url =
        cfg.base_url.empty() ? default_base_url(cfg.project_id) : std::string_view(cfg.base_url);
    return parse_base_url(url).value();
}

// The route through the proxy, unless there is none or no_proxy names the API host.
std::optional<proxy_route> route_of(const client_config& cfg, const endpoint& api) {
    if (cfg.proxy.empty() || no_proxy_matches(cfg.no_proxy, api.host, api.port)) {
        return std::nullopt;
    }
    proxy_route route;
    route.proxy = parse_proxy_url(cfg.proxy).value();  // validate() accepted it
    route.connect_request = encode_connect(api, route.proxy);
    return route;
}

// The io_context behind `ex` when it is one of the usual io_context executors (work-tracking
// or not, or a strand of one); nullptr otherwise.
asio::io_context* io_context_of(const asio::any_io_executor& ex) {
    using plain = asio::io_context::executor_type;
    using tracked =
        decltype(asio::prefer(std::declval<plain>(), asio::execution::outstanding_work.tracked));
    if (auto* e = ex.target<plain>()) {
        return &e->context();
    }
    if (auto* e = ex.target<tracked>()) {
        return &e->context();
    }
    if (auto* e = ex.target<asio::strand<plain>>()) {
        return &e->get_inner_executor().context();
    }
    if (auto* e = ex.target<asio::strand<tracked>>()) {
        return &e->get_inner_executor().context();
    }
    return nullptr;
}

// `ex` type-erased for completions; an io_context's executor fits inline, so that copying it
// and making it track work allocates nothing.
asio::any_completion_executor completion_candidate(const asio::any_io_executor& ex) {
    if (const auto* e = ex.target<asio::io_context::executor_type>()) {
        return asio::any_completion_executor(*e);
    }
    return asio::any_completion_executor(ex);
}
}  // namespace

client_impl::client_impl(asio::any_io_executor ex, client_config cfg)
    : ex_(std::move(ex)),
      handler_candidate_(completion_candidate(ex_)),
      cfg_(std::move(cfg)),
      endpoint_(checked_endpoint(cfg_)),
      encoder_(endpoint_, cfg_.project_id, cfg_.secret, cfg_.user_agent),
      tls_(make_tls_context(cfg_)),
      proxy_(route_of(cfg_, endpoint_)) {
    if (proxy_ && proxy_->proxy.tls) {
        proxy_tls_.emplace(make_proxy_tls_context(cfg_));
        proxy_->tls = &*proxy_tls_;
    }
}

std::shared_ptr<client_impl> client_impl::create(asio::any_io_executor ex, client_config cfg) {
    // An io_context (the usual case, also behind a user's strand) gets the concrete strand;
    // any other execution context the type-erased one.
    if (auto* io = io_context_of(ex)) {
        return make_io_context_client(io->get_executor(), std::move(ex), std::move(cfg));
    }
    return make_generic_client(std::move(ex), std::move(cfg));
}

}  // namespace stytch::detail
