// nghttp2's C callbacks of an h2_session: each finds the session in `user_data` and never lets
// an exception through (a failed allocation fails the connection instead).

#include "protocol/h2_callbacks.hpp"

#include <algorithm>
#include <new>
#include <string_view>

namespace stytch::detail {

namespace {

constexpr std::size_t field_overhead = 32;  // RFC 9113 §6.5.2

h2_session& self(void* user_data) {
    return *static_cast<h2_session*>(user_data);
}

std::string_view view(const std::uint8_t* data, std::size_t size) {
    return {reinterpret_cast<const char*>(data), size};
}

// "200" -> 200; 0 for anything else (nghttp2 has already checked :status is 3 digits).
int parse_status(std::string_view v) {
    if (v.size() != 3) {
        return 0;
    }
    int n = 0;
    for (char c : v) {
        if (c < '0' || c > '9') {
            return 0;
        }
        n = n * 10 + (c - '0');
    }
    return n;
}

// "1834" -> 1834; SIZE_MAX for anything else (not digits, or more than 15 of them).
std::size_t parse_length(std::string_view v) {
    constexpr std::size_t invalid = static_cast<std::size_t>(-1);
    if (v.empty() || v.size() > 15) {  // 15 digits: no overflow, far beyond any body limit
        return invalid;
    }
    std::size_t n = 0;
    for (char c : v) {
        if (c < '0' || c > '9') {
            return invalid;
        }
        n = n * 10 + static_cast<std::size_t>(c - '0');
    }
    return n;
}

}  // namespace

nghttp2_session_callbacks* h2_session::callbacks::make() {
    nghttp2_session_callbacks* cbs = nullptr;
    if (nghttp2_session_callbacks_new(&cbs) != 0) {
        throw std::bad_alloc();
    }
    nghttp2_session_callbacks_set_on_header_callback(cbs, on_header);
    nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cbs, on_data_chunk);
    nghttp2_session_callbacks_set_on_frame_recv_callback(cbs, on_frame_recv);
    nghttp2_session_callbacks_set_on_stream_close_callback(cbs, on_stream_close);
    nghttp2_session_callbacks_set_error_callback2(cbs, on_error);
    nghttp2_session_callbacks_set_on_frame_send_callback(cbs, on_frame_send);
    return cbs;
}

int h2_session::callbacks::on_header(nghttp2_session*, const nghttp2_frame* frame,
                                     const std::uint8_t* name, std::size_t name_size,
                                     const std::uint8_t* value, std::size_t value_size,
                                     std::uint8_t, void* user_data) {
    auto& session = self(user_data);
    const auto it = session.streams_.find(frame->hd.stream_id);
    if (frame->hd.type != NGHTTP2_HEADERS || it == session.streams_.end()) {
        return 0;
    }
    stream& s = it->second;
    s.result.answer_started = true;
    s.header_bytes += name_size + value_size + field_overhead;
    if (s.header_bytes > session.limits_.header_list_limit) {
        // nghttp2 resets the stream and skips the rest of the block (still decoding it,
        // for HPACK's state, without keeping it).
        session.end_stream(frame->hd.stream_id, h2_outcome::header_list_too_large);
        return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
    }
    const std::string_view n = view(name, name_size);
    const std::string_view v = view(value, value_size);
    try {
        if (n == ":status") {
            const int status = parse_status(v);
            s.final_headers = status >= 200;
            if (s.final_headers) {  // an interim (1xx) answer keeps nothing
                s.result.status = status;
                s.result.retry_after.clear();
            }
        } else if (n == "retry-after" && s.final_headers) {
            s.result.retry_after.assign(v);
        } else if (n == "content-length" && s.final_headers) {
            // One allocation for a usual body instead of one per DATA chunk that grows it
            // (nghttp2 checks the length against the DATA it receives); only a little up
            // front, as a server may announce lengths it never sends, on every stream. None
            // when an earlier stream's body was given back (recycle_body()).
            const std::size_t length = parse_length(v);
            if (length <= std::min(session.limits_.body_limit, most_reserved_body)) {
                session.take_spare_body(s.result.body);
                s.result.body.reserve(length);
            }
        }
    } catch (const std::bad_alloc&) {
        return NGHTTP2_ERR_CALLBACK_FAILURE;
    }
    return 0;
}

int h2_session::callbacks::on_data_chunk(nghttp2_session*, std::uint8_t, std::int32_t stream_id,
                                         const std::uint8_t* data, std::size_t size,
                                         void* user_data) {
    auto& session = self(user_data);
    const auto it = session.streams_.find(stream_id);
    if (it == session.streams_.end()) {
        return 0;
    }
    it->second.held += size;
    session.held_ += size;
    std::string& body = it->second.result.body;
    if (size > session.limits_.body_limit - body.size()) {
        session.end_stream(stream_id, h2_outcome::body_too_large);
        return nghttp2_submit_rst_stream(session.session_, NGHTTP2_FLAG_NONE, stream_id,
                                         NGHTTP2_CANCEL) == 0
                   ? 0
                   : NGHTTP2_ERR_CALLBACK_FAILURE;
    }
    session.take_spare_body(body);  // an answer without content-length
    try {
        body.append(view(data, size));
    } catch (const std::bad_alloc&) {
        return NGHTTP2_ERR_CALLBACK_FAILURE;
    }
    return 0;
}

int h2_session::callbacks::on_frame_recv(nghttp2_session*, const nghttp2_frame* frame,
                                         void* user_data) {
    auto& session = self(user_data);
    if (frame->hd.type == NGHTTP2_PING && (frame->hd.flags & NGHTTP2_FLAG_ACK) != 0) {
        ++session.pings_acknowledged_;
        return 0;
    }
    if (frame->hd.type == NGHTTP2_GOAWAY) {
        session.goaway_last_stream_id_ = frame->goaway.last_stream_id;
        session.state_ = next_state(session.state_, h2_event::goaway_received);
        return 0;
    }
    const auto it = session.streams_.find(frame->hd.stream_id);
    if (it == session.streams_.end()) {
        return 0;
    }
    stream& s = it->second;
    switch (frame->hd.type) {
        case NGHTTP2_HEADERS:
            s.final_headers = false;
            [[fallthrough]];
        case NGHTTP2_DATA:
            s.complete = s.complete || (frame->hd.flags & NGHTTP2_FLAG_END_STREAM) != 0;
            break;
        case NGHTTP2_RST_STREAM:
            s.peer_reset = true;
            break;
        default:
            break;
    }
    return 0;
}

int h2_session::callbacks::on_error(nghttp2_session*, int, const char* message, std::size_t size,
                                    void* user_data) {
    constexpr std::size_t kept = 300;
    try {
        self(user_data).last_error_.assign(message, std::min(size, kept));
    } catch (const std::bad_alloc&) {
        return NGHTTP2_ERR_CALLBACK_FAILURE;
    }
    return 0;
}

int h2_session::callbacks::on_frame_send(nghttp2_session*, const nghttp2_frame* frame,
                                         void* user_data) {
    if (frame->hd.type == NGHTTP2_GOAWAY) {
        self(user_data).goaway_code_ = frame->goaway.error_code;
    }
    return 0;
}

int h2_session::callbacks::on_stream_close(nghttp2_session*, std::int32_t stream_id,
                                           std::uint32_t error_code, void* user_data) {
    try {
        self(user_data).on_close(stream_id, error_code);
    } catch (const std::bad_alloc&) {
        return NGHTTP2_ERR_CALLBACK_FAILURE;
    }
    return 0;
}

}  // namespace stytch::detail
