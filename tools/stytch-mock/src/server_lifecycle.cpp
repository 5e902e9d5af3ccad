// The mock server's life: its TLS context and listening socket set up, its threads started,
// and `stop()`, which closes everything and joins them.

#include "server_impl.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>

#include <stdexcept>

namespace stytch::mock {

namespace {

using namespace std::chrono_literals;

constexpr auto stop_grace = 5s;

std::string normalize_prefix(std::string prefix) {
    while (!prefix.empty() && prefix.back() == '/') {
        prefix.pop_back();
    }
    if (!prefix.empty() && prefix.front() != '/') {
        prefix.insert(prefix.begin(), '/');
    }
    return prefix;
}

}  // namespace

server::impl::impl(server_options options)
    : opts(std::move(options)), prefix(normalize_prefix(opts.path_prefix)) {
    identity = opts.identity ? *opts.identity : make_tls_identity();
    expected_credentials = opts.project_id + ":" + opts.secret;
    if (opts.threads == 0) {
        opts.threads = 1;
    }

    ssl_ctx.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 |
                        ssl::context::no_sslv3 | ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 |
                        ssl::context::single_dh_use);
    SSL_CTX_set_min_proto_version(ssl_ctx.native_handle(), TLS1_2_VERSION);
    try {
        ssl_ctx.use_certificate_chain(asio::buffer(identity.certificate_pem));
        ssl_ctx.use_private_key(asio::buffer(identity.private_key_pem), ssl::context::pem);
    } catch (const std::exception& e) {
        throw std::runtime_error(std::string("stytch::mock::server: bad certificate or key: ") +
                                 e.what());
    }
    if (SSL_CTX_check_private_key(ssl_ctx.native_handle()) != 1) {
        throw std::runtime_error("stytch::mock::server: key and certificate do not match");
    }
    if (!opts.client_ca_pem.empty()) {
        boost::system::error_code ec;
        ssl_ctx.add_certificate_authority(asio::buffer(opts.client_ca_pem), ec);
        if (ec) {
            throw std::runtime_error("stytch::mock::server: bad client_ca_pem");
        }
        ssl_ctx.set_verify_mode(ssl::verify_peer | ssl::verify_fail_if_no_peer_cert);
    }

    SSL_CTX_set_alpn_select_cb(ssl_ctx.native_handle(), select_alpn, this);

    ioc.emplace(static_cast<int>(opts.threads));
    boost::system::error_code ec;
    auto address = asio::ip::make_address(opts.address, ec);
    if (ec) {
        throw std::runtime_error("stytch::mock::server: invalid address '" + opts.address + "'");
    }
    acceptor.emplace(asio::make_strand(*ioc));
    tcp::endpoint endpoint{address, opts.port};
    acceptor->open(endpoint.protocol());
    acceptor->set_option(asio::socket_base::reuse_address(true));
    acceptor->bind(endpoint);
    acceptor->listen(asio::socket_base::max_listen_connections);
    bound_port = acceptor->local_endpoint().port();

    asio::co_spawn(acceptor->get_executor(), accept_loop(), asio::detached);

    running_threads = opts.threads;
    try {
        start_threads();
    } catch (...) {
        ioc->stop();
        for (auto& t : threads) {
            t.join();
        }
        throw;
    }
}

void server::impl::start_threads() {
    for (std::size_t i = 0; i < opts.threads; ++i) {
        threads.emplace_back([this] {
            for (;;) {
                try {
                    ioc->run();
                    break;
                } catch (...) {
                    // A handler threw: keep serving.
                }
            }
            {
                std::lock_guard lock(threads_mutex);
                --running_threads;
            }
            threads_cv.notify_all();
        });
    }
}

void server::impl::stop() {
    // `threads` does not change after construction: no lock needed to read it.
    for (const auto& t : threads) {
        if (t.get_id() == std::this_thread::get_id()) {
            throw std::logic_error("stytch::mock::server::stop called from a server thread");
        }
    }
    std::lock_guard stop_lock(stop_mutex);
    if (stopped) {
        return;
    }
    stopped = true;

    std::vector<std::weak_ptr<session_state>> open_sessions;
    {
        std::lock_guard lock(mutex);
        stopping = true;
        for (auto& [id, session] : sessions) {
            open_sessions.push_back(session);
        }
    }
    asio::post(acceptor->get_executor(), [this] {
        boost::system::error_code ignored;
        acceptor->close(ignored);
    });
    for (auto& weak : open_sessions) {
        if (auto session = weak.lock()) {
            asio::post(session->stream.get_executor(), [weak] {
                if (auto s = weak.lock()) {
                    s->stopping = true;
                    beast::get_lowest_layer(s->stream).close();
                }
            });
        }
    }

    // Everything ends by itself once the sockets are closed; stop the io_context only if
    // something still runs after a grace period.
    {
        std::unique_lock lock(threads_mutex);
        if (!threads_cv.wait_for(lock, stop_grace, [&] { return running_threads == 0; })) {
            ioc->stop();
        }
    }
    for (auto& t : threads) {
        t.join();
    }
    acceptor.reset();
    ioc.reset();  // destroys whatever handler was left, closing its connection
}

}  // namespace stytch::mock
