#pragma once

// The HTTP/1.1 response parser for API answers. Beast's basic_parser does the protocol work
// (framing, chunked encoding, limits, keep-alive); this derived class keeps only what the
// client uses: the status, Retry-After, and the body, appended to a buffer the connection
// reuses. No header container, so no allocation per header.

#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/basic_parser.hpp>
#include <boost/beast/http/error.hpp>

#include <string>

namespace stytch::detail {

class answer_parser final : public boost::beast::http::basic_parser<false> {
  public:
    using string_view = boost::beast::string_view;

    /// `body` and `retry_after` are cleared and then filled while parsing.
    answer_parser(std::string& body, std::string& retry_after)
        : body_(body), retry_after_(retry_after) {
        body_.clear();
        retry_after_.clear();
    }

    answer_parser(const answer_parser&) = delete;
    answer_parser& operator=(const answer_parser&) = delete;

    int status() const noexcept { return status_; }

  private:
    void on_request_impl(boost::beast::http::verb, string_view, string_view, int,
                         boost::system::error_code&) override {}

    void on_response_impl(int code, string_view, int, boost::system::error_code&) override {
        status_ = code;
    }

    void on_field_impl(boost::beast::http::field name, string_view, string_view value,
                       boost::system::error_code&) override {
        // Trailer fields (after the header) are not the answer's metadata (RFC 9110 §6.5.1).
        if (name == boost::beast::http::field::retry_after && !is_header_done()) {
            retry_after_.assign(value.data(), value.size());
        }
    }

    void on_header_impl(boost::system::error_code&) override {}

    void on_body_init_impl(const boost::optional<std::uint64_t>& length,
                           boost::system::error_code&) override {
        // basic_parser has already refused a Content-Length above the body limit.
        if (length) {
            body_.reserve(static_cast<std::size_t>(*length));
        }
    }

    std::size_t on_body_impl(string_view data, boost::system::error_code&) override {
        body_.append(data.data(), data.size());
        return data.size();
    }

    void on_chunk_header_impl(std::uint64_t, string_view, boost::system::error_code&) override {}

    std::size_t on_chunk_body_impl(std::uint64_t, string_view data,
                                   boost::system::error_code&) override {
        body_.append(data.data(), data.size());
        return data.size();
    }

    void on_finish_impl(boost::system::error_code&) override {}

    std::string& body_;
    std::string& retry_after_;
    int status_ = 0;
};

}  // namespace stytch::detail
