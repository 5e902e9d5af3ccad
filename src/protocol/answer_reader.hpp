#pragma once

// Reads one final HTTP/1.1 answer out of the bytes a connection receives, sans-io: interim 1xx
// answers are skipped (RFC 9110 §15.2), and every byte the server makes the client hold is
// bounded. Beast's parser bounds the header section and the body but not chunk-size lines,
// chunk extensions or trailers; this reader bounds those too. The connection and the fuzzer
// drive the same code.

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/system/error_code.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include <stytch/error.hpp>

#include "protocol/answer_parser.hpp"

namespace stytch::detail {

/// What one answer may make a connection hold.
struct answer_limits {
    /// One header section, status line included (Beast's header limit).
    std::uint32_t header = 16 * 1024;
    /// The body, after chunked decoding.
    std::size_t body = 1024 * 1024;
    /// Bytes that are not body: header sections (interim answers included), chunk-size lines,
    /// chunk extensions, trailers. Beyond this base, 8 bytes per body byte received are allowed
    /// (a body sent in 1-byte chunks needs 5), so a flood of metadata fails within a few MiB
    /// while any honest encoding of a body within the limit passes.
    std::size_t metadata = 32 * 1024;
};

enum class parse_status { complete, need_more, failed };

class answer_reader {
  public:
    /// `body` and `retry_after` receive the final answer's body and raw `Retry-After` header.
    answer_reader(std::string& body, std::string& retry_after, const answer_limits& limits)
        : body_(body), retry_after_(retry_after), limits_(limits) {
        start_answer();
    }

    /// Feeds what `in` holds, consuming what was parsed. `failed` sets `ec`; `need_more` asks
    /// for more bytes appended to `in` (what waits there unparsed stays within the limits).
    parse_status feed(boost::beast::flat_buffer& in, boost::system::error_code& ec) {
        ec = {};
        while (in.size() != 0) {
            const bool in_header = !parser_->is_header_done();
            const std::size_t body_before = body_.size();
            const std::size_t used = parser_->put(in.data(), ec);
            in.consume(used);
            metadata_ += used - (body_.size() - body_before);
            if (ec == boost::beast::http::error::need_more) {
                ec = {};
            } else if (ec) {
                return parse_status::failed;
            }
            // Beast 1.81 applies its header limit to what one put() sees, and consumes complete
            // field lines as they come: a header sent a line at a time is bounded here.
            header_ += in_header ? used : 0;
            if (header_ > limits_.header) {
                ec = boost::beast::http::error::header_limit;
                return parse_status::failed;
            }
            if (metadata_ > metadata_allowance()) {
                ec = error::answer_metadata_limit;
                return parse_status::failed;
            }
            if (parser_->is_done()) {
                const int status = parser_->status();
                if (status == 101) {
                    ec = error::unexpected_switch_protocols;  // never asked for an upgrade
                    return parse_status::failed;
                }
                if (status / 100 != 1) {
                    return parse_status::complete;
                }
                got_interim_ = true;  // 100, 103, ...: the final answer follows
                start_answer();
                continue;
            }
            if (used == 0) {
                break;  // need more
            }
        }
        // Whatever waits unparsed is one incomplete line or section of metadata (body bytes
        // are always consumed): bound it.
        if (in.size() > limits_.metadata) {
            ec = parser_->is_header_done() ? boost::system::error_code(error::answer_metadata_limit)
                                           : boost::beast::http::error::header_limit;
            return parse_status::failed;
        }
        return parse_status::need_more;
    }

    /// The connection ended after got_some(): completes an answer delimited by the end of the
    /// connection, or sets `ec` (partial_message).
    void put_eof(boost::system::error_code& ec) {
        if (!parser_->got_some()) {
            ec = boost::beast::http::error::partial_message;  // after an interim answer
            return;
        }
        parser_->put_eof(ec);
    }

    /// True once any byte of an answer (interim or final) was parsed.
    bool got_some() const noexcept { return got_interim_ || parser_->got_some(); }

    /// The final answer's status; valid after `complete`.
    int status() const noexcept { return parser_->status(); }

    /// True when the final answer leaves the connection open.
    bool keep_alive() const { return parser_->keep_alive(); }

  private:
    void start_answer() {
        header_ = 0;
        parser_.emplace(body_, retry_after_);
        parser_->header_limit(limits_.header);
        parser_->body_limit(limits_.body);
    }

    std::size_t metadata_allowance() const noexcept { return limits_.metadata + 8 * body_.size(); }

    std::string& body_;
    std::string& retry_after_;
    answer_limits limits_;
    std::optional<answer_parser> parser_;
    std::size_t metadata_ = 0;  // every byte that was not body, interim answers included
    std::size_t header_ = 0;    // of the answer being parsed
    bool got_interim_ = false;
};

}  // namespace stytch::detail
