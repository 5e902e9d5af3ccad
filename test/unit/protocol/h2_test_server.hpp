#pragma once

// An HTTP/2 server in memory for the h2_session tests: an nghttp2 server session whose
// requests go to a handler that answers, resets or sends GOAWAY; `pump` moves the bytes
// between it and a client session until both are quiet. Raw frames for what nghttp2 would
// never send (HPACK bombs, CONTINUATION floods) are built with `frame`.

#include <nghttp2/nghttp2.h>

#include <cstdint>
#include <cstring>
#include <functional>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "protocol/h2_session.hpp"

namespace stytch::test {

class h2_test_server {
  public:
    using fields = std::vector<std::pair<std::string, std::string>>;
    /// Called once per complete request (END_STREAM received).
    std::function<void(h2_test_server&, std::int32_t stream_id, const fields&)> on_request;

    explicit h2_test_server(std::vector<nghttp2_settings_entry> settings = {}) {
        nghttp2_session_callbacks* cbs = nullptr;
        nghttp2_session_callbacks_new(&cbs);
        nghttp2_session_callbacks_set_on_header_callback(
            cbs, [](nghttp2_session*, const nghttp2_frame* frame, const std::uint8_t* name,
                    std::size_t name_size, const std::uint8_t* value, std::size_t value_size,
                    std::uint8_t, void* self) {
                static_cast<h2_test_server*>(self)->requests_[frame->hd.stream_id].emplace_back(
                    std::string(reinterpret_cast<const char*>(name), name_size),
                    std::string(reinterpret_cast<const char*>(value), value_size));
                return 0;
            });
        nghttp2_session_callbacks_set_on_frame_recv_callback(
            cbs, [](nghttp2_session*, const nghttp2_frame* frame, void* self) {
                auto& server = *static_cast<h2_test_server*>(self);
                if ((frame->hd.type == NGHTTP2_HEADERS || frame->hd.type == NGHTTP2_DATA) &&
                    (frame->hd.flags & NGHTTP2_FLAG_END_STREAM) != 0 && server.on_request) {
                    server.received.push_back(frame->hd.stream_id);
                    server.on_request(server, frame->hd.stream_id,
                                      server.requests_[frame->hd.stream_id]);
                }
                return 0;
            });
        nghttp2_session_server_new(&session_, cbs, this);
        nghttp2_session_callbacks_del(cbs);
        nghttp2_submit_settings(session_, NGHTTP2_FLAG_NONE, settings.data(), settings.size());
    }
    ~h2_test_server() { nghttp2_session_del(session_); }
    h2_test_server(const h2_test_server&) = delete;
    h2_test_server& operator=(const h2_test_server&) = delete;

    /// Answers `status` with `body` (and `headers`), END_STREAM on the last DATA frame.
    void respond(std::int32_t id, int status, std::string body, fields headers = {}) {
        bodies_[id] = std::move(body);
        headers.insert(headers.begin(), {":status", std::to_string(status)});
        std::vector<nghttp2_nv> nva;
        for (auto& [n, v] : headers) {
            nva.push_back({reinterpret_cast<std::uint8_t*>(n.data()),
                           reinterpret_cast<std::uint8_t*>(v.data()), n.size(), v.size(),
                           NGHTTP2_NV_FLAG_NONE});
        }
        nghttp2_data_provider provider{};
        provider.source.ptr = &bodies_[id];
        provider.read_callback = [](nghttp2_session*, std::int32_t, std::uint8_t* buf,
                                    std::size_t length, std::uint32_t* flags,
                                    nghttp2_data_source* source, void*) -> ssize_t {
            auto& rest = *static_cast<std::string*>(source->ptr);
            const std::size_t n = std::min(length, rest.size());
            std::memcpy(buf, rest.data(), n);
            rest.erase(0, n);
            if (rest.empty()) {
                *flags |= NGHTTP2_DATA_FLAG_EOF;
            }
            return static_cast<ssize_t>(n);
        };
        check(nghttp2_submit_response(session_, id, nva.data(), nva.size(), &provider));
    }
    void reset(std::int32_t id, std::uint32_t code) {
        check(nghttp2_submit_rst_stream(session_, NGHTTP2_FLAG_NONE, id, code));
    }
    void goaway(std::int32_t last_stream_id, std::uint32_t code = NGHTTP2_NO_ERROR) {
        check(nghttp2_submit_goaway(session_, NGHTTP2_FLAG_NONE, last_stream_id, code, nullptr, 0));
    }

    void input(std::string_view bytes) {
        const auto rv = nghttp2_session_mem_recv(
            session_, reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
        if (rv < 0) {
            throw std::runtime_error(std::string("test server: ") + nghttp2_strerror(int(rv)));
        }
    }
    std::string output() {
        std::string out;
        for (;;) {
            const std::uint8_t* data = nullptr;
            const auto n = nghttp2_session_mem_send(session_, &data);
            if (n <= 0) {
                return out;
            }
            out.append(reinterpret_cast<const char*>(data), static_cast<std::size_t>(n));
        }
    }

    std::vector<std::int32_t> received;  ///< stream ids of complete requests, in order
    /// The fields of each request received.
    const fields& request(std::int32_t id) { return requests_[id]; }

  private:
    static void check(int rv) {
        if (rv != 0) {
            throw std::runtime_error(std::string("test server: ") + nghttp2_strerror(rv));
        }
    }
    nghttp2_session* session_ = nullptr;
    std::map<std::int32_t, fields> requests_;
    std::map<std::int32_t, std::string> bodies_;
};

/// Moves bytes both ways until neither side has anything to send; returns the bytes the
/// server sent.
inline std::size_t pump(detail::h2_session& client, h2_test_server& server) {
    std::size_t from_server = 0;
    for (int round = 0; round < 1000; ++round) {
        std::string out;
        client.take_output(out);
        if (!out.empty()) {
            server.input(out);
        }
        const std::string in = server.output();
        from_server += in.size();
        if (!in.empty()) {
            client.receive(in);
        }
        if (out.empty() && in.empty()) {
            break;
        }
    }
    return from_server;
}

/// One raw HTTP/2 frame (RFC 9113 §4.1).
inline std::string frame(std::uint8_t type, std::uint8_t flags, std::uint32_t stream_id,
                         std::string_view payload) {
    std::string f;
    const auto size = static_cast<std::uint32_t>(payload.size());
    f += static_cast<char>(size >> 16);
    f += static_cast<char>(size >> 8);
    f += static_cast<char>(size);
    f += static_cast<char>(type);
    f += static_cast<char>(flags);
    f += static_cast<char>((stream_id >> 24) & 0x7f);
    f += static_cast<char>(stream_id >> 16);
    f += static_cast<char>(stream_id >> 8);
    f += static_cast<char>(stream_id);
    f += payload;
    return f;
}

}  // namespace stytch::test
