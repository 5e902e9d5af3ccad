// The mock server's listener: the accept loop, one coroutine per connection, its TLS handshake
// and the ALPN choice that hands it to HTTP/1.1 (http1_session.cpp) or HTTP/2
// (h2_connection.cpp).

#include "server_impl.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/strand.hpp>

#include <array>

namespace stytch::mock {

using detail::session_state;
using detail::use_tuple;

namespace {

using namespace std::chrono_literals;

constexpr auto handshake_timeout = 10s;

bool selected_h2(SSL* ssl) {
    const unsigned char* protocol = nullptr;
    unsigned size = 0;
    SSL_get0_alpn_selected(ssl, &protocol, &size);
    return std::string_view(reinterpret_cast<const char*>(protocol), size) == "h2";
}

}  // namespace

/// OpenSSL's ALPN callback: records the client's offer, selects the first of `opts.alpn` in it.
int server::impl::select_alpn(SSL*, const unsigned char** out, unsigned char* out_size,
                              const unsigned char* in, unsigned in_size, void* self) {
    auto& server = *static_cast<impl*>(self);
    std::vector<std::string> offered;
    for (unsigned i = 0; i < in_size;) {
        const unsigned size = in[i++];
        if (size > in_size - i) {
            break;  // OpenSSL has checked the list; never trust it twice
        }
        offered.emplace_back(reinterpret_cast<const char*>(in + i), size);
        i += size;
    }
    int result = SSL_TLSEXT_ERR_NOACK;
    for (const auto& wanted : server.opts.alpn) {
        const unsigned char* at = in;
        for (const auto& name : offered) {
            ++at;
            if (name == wanted) {
                *out = at;
                *out_size = static_cast<unsigned char>(name.size());
                result = SSL_TLSEXT_ERR_OK;
                break;
            }
            at += name.size();
        }
        if (result == SSL_TLSEXT_ERR_OK) {
            break;
        }
    }
    if (server.opts.record_requests) {
        std::lock_guard lock(server.mutex);
        server.alpn_offers.push_back(std::move(offered));
    }
    return result;
}

asio::awaitable<void> server::impl::accept_loop() {
    for (;;) {
        tcp::socket socket(asio::make_strand(*ioc));
        auto [ec] = co_await acceptor->async_accept(socket, use_tuple);
        if (!acceptor->is_open() || ec == asio::error::operation_aborted) {
            co_return;
        }
        if (ec) {
            // E.g. out of file descriptors: back off a little, then try again.
            asio::steady_timer timer(co_await asio::this_coro::executor, 10ms);
            co_await timer.async_wait(use_tuple);
            continue;
        }
        const std::uint64_t id = accepted.fetch_add(1) + 1;
        open.fetch_add(1);
        // Small writes (scripted records, answers) leave at once instead of waiting for an ACK.
        boost::system::error_code ignored;
        socket.set_option(tcp::no_delay(true), ignored);
        std::shared_ptr<session_state> state;
        try {
            state = std::make_shared<session_state>(std::move(socket), ssl_ctx);
        } catch (...) {
            open.fetch_sub(1);
            continue;
        }
        {
            std::lock_guard lock(mutex);
            if (stopping) {
                beast::get_lowest_layer(state->stream).close();
                open.fetch_sub(1);
                continue;
            }
            sessions.emplace(id, state);
        }
        auto executor = state->stream.get_executor();
        asio::co_spawn(executor, run_session(std::move(state), id), asio::detached);
    }
}

asio::awaitable<void> server::impl::run_session(std::shared_ptr<session_state> state,
                                                std::uint64_t id) {
    try {
        co_await serve(*state, id);
    } catch (...) {
        // Never let one connection take the server down.
    }
    if ((SSL_get_shutdown(state->stream.native_handle()) & SSL_RECEIVED_SHUTDOWN) != 0) {
        close_notifies.fetch_add(1);
    }
    beast::get_lowest_layer(state->stream).close();
    {
        std::lock_guard lock(mutex);
        sessions.erase(id);
    }
    open.fetch_sub(1);
}

/// The TLS handshake (or the fault that never completes it), then the protocol ALPN chose.
asio::awaitable<void> server::impl::serve(session_state& state, std::uint64_t id) {
    auto& tcp_layer = beast::get_lowest_layer(state.stream);
    if (opts.stall_tls_handshake) {
        // Fault: TCP is accepted, TLS never completes. Drop what comes until the client leaves.
        tcp_layer.expires_never();
        std::array<char, 1024> sink;
        while (!state.stopping) {
            auto [read_ec, n] = co_await tcp_layer.async_read_some(asio::buffer(sink), use_tuple);
            (void)n;
            if (read_ec) {
                co_return;
            }
        }
        co_return;
    }
    tcp_layer.expires_after(handshake_timeout);
    if (auto [ec] = co_await state.stream.async_handshake(ssl::stream_base::server, use_tuple);
        ec) {
        co_return;
    }
    if (selected_h2(state.stream.native_handle())) {
        co_await serve_h2(state.shared_from_this(), id);
        co_return;
    }
    co_await serve_http1(state, id);
}

}  // namespace stytch::mock
