#pragma once

// HTTP/1.1 on one connection (see channel.hpp): one call at a time, each attempt a request
// written and one final answer read through the sans-io answer reader, the connection's state
// told what happened. A connection that spoke out of turn, or whose answer was not the call's,
// serves no other call.

#include <boost/asio/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/system/error_code.hpp>

#include <cstddef>
#include <string>
#include <string_view>

#include "driver/channel.hpp"
#include "engine/connection_state.hpp"
#include "protocol/answer_reader.hpp"
#include "protocol/http_answer.hpp"
#include "transport/tls_stream.hpp"

namespace stytch::detail {

/// True for the errors of a peer that closed or reset the connection.
inline bool is_peer_gone(const boost::system::error_code& ec) {
    namespace asio = boost::asio;
    return ec == asio::error::eof || ec == asio::error::connection_reset ||
           ec == asio::error::broken_pipe || ec == asio::ssl::error::stream_truncated ||
           ec == boost::beast::http::error::end_of_stream;
}

template <class Executor>
class http1_channel final : public channel<Executor> {
  public:
    template <class T>
    using task = boost::asio::awaitable<T, Executor>;

    /// `stream`, `state` and `fault` are the connection's, which outlives the channel.
    http1_channel(tls_stream<Executor>& stream, connection_state& state,
                  boost::system::error_code& fault)
        : stream_(stream), state_(state), fault_(fault) {}

    bool shared() const noexcept override { return false; }
    bool accepting() const noexcept override { return false; }
    std::size_t capacity() const noexcept override { return 1; }

    task<outcome> async_attempt(attempt_context& a, std::shared_ptr<void> owner) override;

    /// An HTTP/1.1 connection out of step would give every later call the answer before its
    /// own: it goes, even though its framing looks fine.
    boost::system::error_code closes_after(const outcome& o) const noexcept override {
        if (o.verdict == verdict::resend || state_ != connection_state::ready) {
            return boost::asio::error::operation_aborted;
        }
        return {};
    }

    bool interrupt(const void*, const std::shared_ptr<void>&) override { return false; }
    void connection_lost(boost::system::error_code) override {}
    void abandon() noexcept override {}
    task<boost::system::error_code> async_go_away() override {
        co_return boost::system::error_code{};
    }

    void release_buffers() noexcept override {
        buffer_.shrink_to_fit();
        body_.clear();
        body_.shrink_to_fit();
    }

  private:
    // Bytes asked of each read: an answer of a few KB arrives in one read, and the buffer an
    // idle connection keeps stays small (a larger answer grows it as needed).
    static constexpr std::size_t read_size = 4 * 1024;

    // Checks, without waiting, that the server has sent nothing since the handshake or the
    // last answer: no byte, EOF, reset or close_notify, at the HTTP, TLS or socket level. Go's
    // net/http and curl refuse to reuse a connection that spoke out of turn: what it sent
    // would be taken as the next call's answer. Once false, stays false; fault_ says why.
    bool quiet() noexcept {
        if (state_ == connection_state::ready) {
            fault_ = buffer_.size() != 0 ? boost::system::error_code(error::unsolicited_answer)
                                         : stream_.check_idle();
            if (fault_) {
                state_ = next(state_, connection_event::spoke_while_idle);
            }
        }
        return state_ == connection_state::ready;
    }

    // The exchange failed with `ec`, after some of an answer (`got_some`) or none: the
    // connection's state is told, and the failure judged.
    outcome failed(boost::system::error_code ec, bool got_some, bool reused) {
        state_ = next(state_, !got_some && is_peer_gone(ec) ? connection_event::failed_before_answer
                                                            : connection_event::failed_mid_answer);
        return judge_exchange_failure(ec, reused, state_ == connection_state::silent_failure);
    }

    tls_stream<Executor>& stream_;
    connection_state& state_;
    boost::system::error_code& fault_;
    // Plaintext: what waits unparsed is bounded by the reader, so the buffer never grows past
    // that bound and one read.
    boost::beast::flat_buffer buffer_{answer_limits{}.metadata + read_size};
    std::string body_;  // reused: its capacity stays with the connection
    std::string retry_after_;
};

// One coroutine from the idle check to the judged answer: a nested one for the exchange would
// cost a frame allocation per call.
template <class Executor>
auto http1_channel<Executor>::async_attempt(attempt_context& a, std::shared_ptr<void>)
    -> task<outcome> {
    // The last moment to find out that the server spoke out of turn: whatever it sent would
    // otherwise be read as this request's answer.
    if (!quiet()) {
        auto o = judge_exchange_failure(fault_, a.reused, true);
        o.unsent = true;
        co_return o;
    }
    if (!a.gates.may_write()) {
        co_return not_written(a.reused);
    }
    state_ = next(state_, connection_event::write);
    auto [wec, _] = co_await stream_.async_write(a.request.http1);
    if (wec) {
        co_return failed(wec, false, a.reused);
    }

    // Beast's http::async_read, flattened into this coroutine: the same parser calls without
    // two composed operations (and their work guards) per read.
    answer_limits limits;
    limits.body = a.cfg.max_response_body;
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
        co_return failed(ec, reader.got_some(), a.reused);
    }

    http_answer answer;
    answer.status = reader.status();
    answer.body = body_;
    answer.retry_after = retry_after_;
    // Anything after the answer in our buffers means the server sent more than was asked for;
    // the socket is checked when the connection is next used.
    const bool clean = reader.keep_alive() && buffer_.size() == 0 && !stream_.holds_input();
    state_ = next(state_,
                  clean ? connection_event::answered_keep_alive : connection_event::answered_last);
    // Decoded here, on the connection's strand, while the answer is in its buffers; straight
    // into the call's response, which is moved once more: into the handler.
    co_return judge_answer(answer, a.reused, a.response, a.cfg, a.requested());
}

}  // namespace stytch::detail
