#pragma once

// A connection's polite close (see connection::retire()): GOAWAY over HTTP/2, TLS close_notify
// (to the proxy too), FIN, then the server's close, bounded by the goodbye limit.

#include "driver/connection.hpp"

namespace stytch::detail {

// The polite close retire() starts; its completion closes the socket.
template <class Executor>
auto connection<Executor>::say_goodbye(std::shared_ptr<connection> self) -> task<void> {
    namespace asio = boost::asio;
    if (state_ != connection_state::ready) {
        co_return;  // opening, in use, failed or closed: nothing polite to say
    }
    state_ = next(state_, connection_event::retire);
    timer_type limit(get_executor());
    limit.expires_after(goodbye_limit_);
    limit.async_wait([self](boost::system::error_code ec) {
        if (!ec) {
            self->close();  // ends whatever the goodbye waits for
        }
    });
    auto ec = co_await channel_->async_go_away();  // ready: opened, so it has a channel
    if (!ec && !closed()) {
        ec = co_await stream_.async_shutdown();
    }
    if (!ec && !closed() && proxy_tls_) {
        ec = co_await proxy_tls_->async_shutdown();
    }
    if (!ec && !closed()) {
        // FIN, then read until the server closes too: closing a socket with unread bytes (the
        // server's own GOAWAY or close_notify) would send a reset instead.
        auto& socket = stream_.socket();
        socket.shutdown(tcp::socket::shutdown_send, ec);
        std::array<char, 1024> sink;
        while (!ec && !closed()) {
            std::tie(ec, std::ignore) =
                co_await socket.async_read_some(asio::buffer(sink), use_tuple);
        }
    }
    limit.cancel();
}

}  // namespace stytch::detail
