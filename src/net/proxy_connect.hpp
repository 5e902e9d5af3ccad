#pragma once

// Opens the CONNECT tunnel on a connected socket, before the TLS handshake. Bounded by the
// header limit of connect_answer_reader and, in time, by the caller closing the socket (the
// client's connect timeout).

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/system/error_code.hpp>

#include <algorithm>
#include <array>
#include <string_view>

#include <stytch/error.hpp>

#include "net/proxy_tunnel.hpp"

namespace stytch::detail {

/// Writes `request` (see encode_connect) and reads the proxy's answer. Returns an empty code
/// when the tunnel is open, `error::proxy_refused` with `status` set for a non-2xx answer,
/// `error::proxy_tunnel_failed` for a broken or cut-off answer, or the socket's error.
template <class Socket>
auto async_proxy_connect(Socket& socket, std::string_view request, int& status)
    -> boost::asio::awaitable<boost::system::error_code, typename Socket::executor_type> {
    namespace asio = boost::asio;
    using state = connect_answer_reader::state;
    constexpr auto use_tuple =
        asio::as_tuple(asio::use_awaitable_t<typename Socket::executor_type>{});

    status = 0;
    auto [wec, _] = co_await asio::async_write(socket, asio::buffer(request), use_tuple);
    if (wec) {
        co_return wec;
    }
    connect_answer_reader reader;
    std::array<char, 1024> chunk;
    while (reader.current() == state::reading) {
        // Never more than the limit allows: the reader sees every byte read.
        const std::size_t want = std::min(chunk.size(), reader.room());
        auto [rec, n] =
            co_await socket.async_read_some(asio::buffer(chunk.data(), want), use_tuple);
        if (rec == asio::error::eof) {
            co_return error::proxy_tunnel_failed;  // closed before a complete answer
        }
        if (rec) {
            co_return rec;
        }
        reader.feed(std::string_view(chunk.data(), n));
    }
    status = reader.status();
    switch (reader.current()) {
        case state::established:
            co_return boost::system::error_code{};
        case state::refused:
            co_return error::proxy_refused;
        default:
            co_return error::proxy_tunnel_failed;
    }
}

}  // namespace stytch::detail
