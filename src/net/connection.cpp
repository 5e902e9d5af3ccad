#include "net/connection.hpp"

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>

#include <charconv>
#include <tuple>

#include "net/answer_parser.hpp"
#include "net/tls_context.hpp"

namespace stytch::detail {

namespace asio = boost::asio;
namespace http = boost::beast::http;
using asio::ip::tcp;
using boost::system::error_code;

namespace {
constexpr auto use_tuple = asio::as_tuple(asio::use_awaitable);

// Header section limit: generous for an API answer, small enough to bound memory.
constexpr std::uint32_t header_limit = 16 * 1024;

bool is_peer_gone(const error_code& ec) {
    return ec == asio::error::eof || ec == asio::error::connection_reset ||
           ec == asio::error::broken_pipe || ec == asio::ssl::error::stream_truncated ||
           ec == http::error::end_of_stream;
}
}  // namespace

connection::connection(const asio::any_io_executor& ex, asio::ssl::context& ctx)
    : resolver_(ex), stream_(ex, ctx) {}

asio::awaitable<error_code> connection::async_open(const endpoint& ep) {
    char port[8];
    auto [end, _] = std::to_chars(port, port + sizeof port, ep.port);
    auto [rec, results] = co_await resolver_.async_resolve(
        ep.host, std::string_view(port, end - port), tcp::resolver::numeric_service, use_tuple);
    if (closed_) {
        co_return asio::error::operation_aborted;
    }
    if (rec) {
        co_return rec;
    }
    // One address after the other, by hand: close() must stop the loop, and a ranged
    // async_connect would reopen the socket for the next address.
    auto& socket = stream_.next_layer();
    error_code cec = asio::error::host_not_found;
    for (const auto& entry : results) {
        error_code ignored;
        socket.close(ignored);
        std::tie(cec) = co_await socket.async_connect(entry.endpoint(), use_tuple);
        if (closed_) {
            co_return asio::error::operation_aborted;
        }
        if (!cec) {
            break;
        }
    }
    if (cec) {
        co_return cec;
    }
    error_code ec;
    socket.set_option(tcp::no_delay(true), ec);
    if (!set_expected_peer(stream_.native_handle(), ep.host)) {
        co_return asio::error::invalid_argument;
    }
    auto [hec] = co_await stream_.async_handshake(asio::ssl::stream_base::client, use_tuple);
    co_return hec;
}

asio::awaitable<error_code> connection::async_exchange(std::string_view request,
                                                       std::size_t body_limit, http_answer& out) {
    reusable_ = false;
    failed_without_answer_ = false;
    auto [wec, _] = co_await asio::async_write(stream_, asio::buffer(request), use_tuple);
    if (wec) {
        failed_without_answer_ = is_peer_gone(wec);
        co_return wec;
    }

    answer_parser parser(body_, retry_after_);
    parser.header_limit(header_limit);
    parser.body_limit(body_limit);
    auto [rec, _n] = co_await http::async_read(stream_, buffer_, parser, use_tuple);
    if (rec) {
        failed_without_answer_ = !parser.got_some() && is_peer_gone(rec);
        co_return rec;
    }

    out.status = parser.status();
    out.body = body_;
    out.retry_after = retry_after_;
    // Leftover bytes mean the server sent more than one answer: not safe to reuse.
    reusable_ = parser.keep_alive() && buffer_.size() == 0;
    ++exchanges_;
    co_return error_code{};
}

void connection::close() noexcept {
    closed_ = true;
    resolver_.cancel();
    error_code ignored;
    stream_.next_layer().close(ignored);
    reusable_ = false;
}

}  // namespace stytch::detail
