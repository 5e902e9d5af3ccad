#pragma once

// One HTTP/1.1 exchange on a connection (see connection.hpp): the request written, one final
// answer read through the sans-io answer reader, and the connection's state told what happened.

#include "driver/connection.hpp"

namespace stytch::detail {

template <class Executor>
auto connection<Executor>::async_exchange(std::string_view request, std::size_t body_limit,
                                          http_answer& out) -> task<boost::system::error_code> {
    state_ = next(state_, connection_event::write);
    auto [wec, _] = co_await stream_.async_write(request);
    if (wec) {
        state_ = next(state_, is_peer_gone(wec) ? connection_event::failed_before_answer
                                                : connection_event::failed_mid_answer);
        co_return wec;
    }

    // Beast's http::async_read, flattened into this coroutine: the same parser calls without
    // two composed operations (and their work guards) per read.
    answer_limits limits;
    limits.body = body_limit;
    answer_reader reader(body_, retry_after_, limits);
    boost::system::error_code ec;
    while (reader.feed(buffer_, ec) == parse_status::need_more) {
        auto [rec, n] = co_await stream_.async_read_some(buffer_.prepare(read_size));
        buffer_.commit(n);
        if (rec == boost::asio::error::eof && reader.got_some()) {
            reader.put_eof(ec);  // an answer whose end is the end of the connection
            break;
        }
        if (rec) {
            ec = rec == boost::asio::error::eof
                     ? boost::system::error_code(boost::beast::http::error::end_of_stream)
                     : rec;
            break;
        }
    }
    if (ec) {
        state_ = next(state_, !reader.got_some() && is_peer_gone(ec)
                                  ? connection_event::failed_before_answer
                                  : connection_event::failed_mid_answer);
        co_return ec;
    }

    out.status = reader.status();
    out.body = body_;
    out.retry_after = retry_after_;
    // Anything after the answer in our buffers means the server sent more than was asked for;
    // the socket is checked when the connection is next used.
    const bool clean = reader.keep_alive() && buffer_.size() == 0 && !stream_.holds_input();
    state_ = next(state_,
                  clean ? connection_event::answered_keep_alive : connection_event::answered_last);
    co_return boost::system::error_code{};
}

}  // namespace stytch::detail
