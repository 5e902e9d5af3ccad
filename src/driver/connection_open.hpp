#pragma once

// Opening a connection (see driver/connection.hpp): resolve, connect, the proxy's tunnel if any,
// the TLS handshake with host-name verification, then the protocol the server selected by ALPN,
// all before `give_up_at`.

#include <charconv>

#include "driver/connection.hpp"

namespace stytch::detail {

template <class Executor>
auto connection<Executor>::async_open(const endpoint& ep, const proxy_route* via,
                                      clock::time_point give_up_at)
    -> task<boost::system::error_code> {
    namespace asio = boost::asio;
    state_ = next(state_, connection_event::open);
    open_timer_.expires_at(give_up_at);
    open_timer_.async_wait([weak = this->weak_from_this()](boost::system::error_code ec) {
        auto self = weak.lock();
        // Only while still opening: an expiry queued before the open ended is stale.
        if (!ec && self && self->state_ == connection_state::opening) {
            self->close(asio::error::timed_out);
        }
    });
    auto ec = co_await open_steps(ep, via);
    open_timer_.cancel();  // a pending wait would keep the io_context busy
    if (state_ == connection_state::closed) {
        // Timed out, or closed by the call's deadline or cancellation — possibly after the
        // handshake's last step had completed: then no channel either (the pool would share
        // an HTTP/2 connection and count a stream it never granted).
        channel_.reset();
        co_return fault_;
    }
    state_ = next(state_, ec ? connection_event::open_failed : connection_event::opened);
    co_return ec;
}

template <class Executor>
auto connection<Executor>::open_steps(const endpoint& ep, const proxy_route* via)
    -> task<boost::system::error_code> {
    namespace asio = boost::asio;
    if (via && via->tls) {
        // The socket and the TLS session with the proxy; stream_ then runs inside it.
        proxy_tls_ = std::make_unique<tls_stream<Executor>>(resolver_.get_executor(), *via->tls);
        stream_.carry_over(*proxy_tls_);
    }
    char port[8];
    auto [end, _] = std::to_chars(port, port + sizeof port, via ? via->proxy.port : ep.port);
    auto [rec, results] = co_await resolver_.async_resolve(
        via ? via->proxy.host : ep.host, std::string_view(port, end - port),
        tcp::resolver::numeric_service, use_tuple);
    if (rec || closed()) {
        co_return rec;
    }
    // One address after the other, by hand: close() must stop the loop, and a ranged
    // async_connect would reopen the socket for the next address.
    auto& socket = stream_.socket();
    boost::system::error_code cec = asio::error::host_not_found;
    for (const auto& entry : results) {
        boost::system::error_code ignored;
        socket.close(ignored);
        std::tie(cec) = co_await socket.async_connect(entry.endpoint(), use_tuple);
        if (!cec || closed()) {
            break;
        }
    }
    if (cec || closed()) {
        co_return cec;
    }
    boost::system::error_code ec;
    socket.set_option(tcp::no_delay(true), ec);
    if (proxy_tls_) {
        if (!set_expected_peer(proxy_tls_->native_handle(), via->proxy.host)) {
            co_return asio::error::invalid_argument;
        }
        auto [pec, _p] = co_await proxy_tls_->async_handshake();
        if (pec || closed()) {
            co_return pec;
        }
    }
    if (via) {
        plain_stream<typename tls_stream<Executor>::socket_type> plain{socket};
        auto tec = proxy_tls_ ? co_await async_proxy_connect<Executor>(
                                    *proxy_tls_, via->connect_request, proxy_status_)
                              : co_await async_proxy_connect<Executor>(plain, via->connect_request,
                                                                       proxy_status_);
        if (tec || closed()) {
            co_return tec;
        }
    }
    if (!set_expected_peer(stream_.native_handle(), ep.host)) {
        co_return asio::error::invalid_argument;
    }
    reached_handshake_ = true;
    auto [hec, _h] = co_await stream_.async_handshake();
    if (via && is_peer_gone(hec)) {
        co_return stytch::error::proxy_tunnel_failed;  // e.g. a 2xx, then the proxy closed
    }
    if (!hec) {
        auto protocol = negotiated_protocol(stream_.native_handle());
        if (protocol && *protocol == wire_protocol::http2) {
            channel_ = std::make_unique<h2_channel<Executor>>(stream_, h2_limits_, max_streams_);
        } else if (protocol) {
            channel_ = std::make_unique<http1_channel<Executor>>(stream_, state_, fault_);
        }
        hec = protocol ? boost::system::error_code{} : protocol.error();
    } else {
        hec = explain_handshake_failure(stream_.native_handle(), hec);
    }
    co_return hec;
}

}  // namespace stytch::detail
