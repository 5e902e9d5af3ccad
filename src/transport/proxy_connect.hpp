#pragma once

// Opens the CONNECT tunnel on a connected socket (or on the TLS session with an https proxy),
// before the TLS handshake with the API. Bounded by the header limit of connect_answer_reader
// and, in time, by the caller closing the socket (the client's connect timeout).

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/system/error_code.hpp>

#include <algorithm>
#include <array>
#include <string>
#include <string_view>
#include <utility>

#include <stytch/error.hpp>

#include "protocol/proxy_tunnel.hpp"

namespace stytch::detail {

/// How a client's connections reach the API through a proxy: where to connect, the CONNECT
/// request to send there first (made once per client), and for an https proxy the TLS
/// settings of the session with it.
struct proxy_route {
    proxy_endpoint proxy;
    std::string connect_request;
    boost::asio::ssl::context* tls = nullptr;  ///< set when `proxy.tls`
};

/// A TCP socket with the read and write calls of tls_stream.
template <class Socket>
struct plain_stream {
    using executor_type = typename Socket::executor_type;
    using task =
        boost::asio::awaitable<std::pair<boost::system::error_code, std::size_t>, executor_type>;
    static constexpr auto use_tuple =
        boost::asio::as_tuple(boost::asio::use_awaitable_t<executor_type>{});

    task async_write(std::string_view data) {
        auto [ec, n] =
            co_await boost::asio::async_write(socket, boost::asio::buffer(data), use_tuple);
        co_return std::pair{ec, n};
    }
    task async_read_some(boost::asio::mutable_buffer buffer) {
        auto [ec, n] = co_await socket.async_read_some(buffer, use_tuple);
        co_return std::pair{ec, n};
    }

    Socket& socket;
};

/// Writes `request` (see encode_connect) on `stream` (a plain_stream or a tls_stream) and
/// reads the proxy's answer. Returns an empty code when the tunnel is open,
/// `error::proxy_refused` with `status` set for a non-2xx answer, `error::proxy_tunnel_failed`
/// for a broken or cut-off answer, or the stream's error.
template <class Executor, class Stream>
auto async_proxy_connect(Stream& stream, std::string_view request, int& status)
    -> boost::asio::awaitable<boost::system::error_code, Executor> {
    namespace asio = boost::asio;
    using state = connect_answer_reader::state;

    status = 0;
    auto [wec, _] = co_await stream.async_write(request);
    if (wec) {
        co_return wec;
    }
    connect_answer_reader reader;
    std::array<char, 1024> chunk;
    while (reader.current() == state::reading) {
        // Never more than the limit allows: the reader sees every byte read.
        const std::size_t want = std::min(chunk.size(), reader.room());
        auto [rec, n] = co_await stream.async_read_some(asio::buffer(chunk.data(), want));
        if (rec == asio::error::eof || rec == asio::ssl::error::stream_truncated) {
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
