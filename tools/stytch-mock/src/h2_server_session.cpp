#include "h2_server_session.hpp"

#include <nghttp2/nghttp2.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <new>

namespace stytch::mock::detail {

namespace {

constexpr std::size_t field_overhead = 32;  // RFC 9113 §6.5.2

std::string_view view(const std::uint8_t* data, std::size_t size) {
    return {reinterpret_cast<const char*>(data), size};
}

std::string lower(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](char c) { return c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c; });
    return out;
}

// RFC 9113 §8.2.2: these make an HTTP/2 message malformed.
bool connection_specific(std::string_view name) {
    return name == "connection" || name == "keep-alive" || name == "proxy-connection" ||
           name == "transfer-encoding" || name == "upgrade" || name == "content-length";
}

nghttp2_nv field(const std::string& name, const std::string& value) {
    return {reinterpret_cast<std::uint8_t*>(const_cast<char*>(name.data())),
            reinterpret_cast<std::uint8_t*>(const_cast<char*>(value.data())), name.size(),
            value.size(), NGHTTP2_NV_FLAG_NONE};
}

}  // namespace

// nghttp2's C callbacks; none lets an exception through.
struct h2_server_session::callbacks {
    static h2_server_session& self(void* user_data) {
        return *static_cast<h2_server_session*>(user_data);
    }

    static int on_begin_headers(nghttp2_session*, const nghttp2_frame* frame, void* user_data) {
        if (frame->hd.type == NGHTTP2_HEADERS && frame->headers.cat == NGHTTP2_HCAT_REQUEST) {
            try {
                self(user_data).incoming_[frame->hd.stream_id].request.stream_id =
                    frame->hd.stream_id;
            } catch (const std::bad_alloc&) {
                return NGHTTP2_ERR_CALLBACK_FAILURE;
            }
        }
        return 0;
    }

    static int on_header(nghttp2_session*, const nghttp2_frame* frame, const std::uint8_t* name,
                         std::size_t name_size, const std::uint8_t* value, std::size_t value_size,
                         std::uint8_t, void* user_data) {
        auto& session = self(user_data);
        const auto it = session.incoming_.find(frame->hd.stream_id);
        if (it == session.incoming_.end()) {
            return 0;
        }
        h2_request& r = it->second.request;
        it->second.header_bytes += name_size + value_size + field_overhead;
        if (it->second.header_bytes > session.header_list_limit_) {
            session.incoming_.erase(it);  // nghttp2 resets the stream, skips the rest
            return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
        }
        const std::string_view n = view(name, name_size);
        const std::string_view v = view(value, value_size);
        try {
            if (n == ":method") {
                r.method.assign(v);
            } else if (n == ":scheme") {
                r.scheme.assign(v);
            } else if (n == ":authority") {
                r.authority.assign(v);
            } else if (n == ":path") {
                r.path.assign(v);
            } else if (!n.starts_with(':')) {
                r.headers.emplace_back(std::string(n), std::string(v));
            }
        } catch (const std::bad_alloc&) {
            return NGHTTP2_ERR_CALLBACK_FAILURE;
        }
        return 0;
    }

    static int on_data_chunk(nghttp2_session*, std::uint8_t, std::int32_t stream_id,
                             const std::uint8_t* data, std::size_t size, void* user_data) {
        auto& session = self(user_data);
        const auto it = session.incoming_.find(stream_id);
        if (it == session.incoming_.end() || it->second.request.body_too_large) {
            return 0;
        }
        std::string& body = it->second.request.body;
        if (size > session.body_limit_ - body.size()) {
            it->second.request.body_too_large = true;  // answered 413 once complete
            body.clear();
            return 0;
        }
        try {
            body.append(view(data, size));
        } catch (const std::bad_alloc&) {
            return NGHTTP2_ERR_CALLBACK_FAILURE;
        }
        return 0;
    }

    static int on_frame_recv(nghttp2_session*, const nghttp2_frame* frame, void* user_data) {
        auto& session = self(user_data);
        if (frame->hd.type == NGHTTP2_GOAWAY) {
            ++session.goaways_received_;
            return 0;
        }
        if ((frame->hd.type != NGHTTP2_HEADERS && frame->hd.type != NGHTTP2_DATA) ||
            (frame->hd.flags & NGHTTP2_FLAG_END_STREAM) == 0) {
            return 0;
        }
        const auto it = session.incoming_.find(frame->hd.stream_id);
        if (it == session.incoming_.end()) {
            return 0;
        }
        try {
            session.complete_.push_back(std::move(it->second.request));
        } catch (const std::bad_alloc&) {
            return NGHTTP2_ERR_CALLBACK_FAILURE;
        }
        session.incoming_.erase(it);
        return 0;
    }

    static int on_stream_close(nghttp2_session*, std::int32_t stream_id, std::uint32_t,
                               void* user_data) {
        auto& session = self(user_data);
        session.incoming_.erase(stream_id);
        session.bodies_.erase(stream_id);
        return 0;
    }

    static ssize_t read_body(nghttp2_session*, std::int32_t stream_id, std::uint8_t* buf,
                             std::size_t length, std::uint32_t* flags, nghttp2_data_source*,
                             void* user_data) {
        auto& session = self(user_data);
        const auto it = session.bodies_.find(stream_id);
        if (it == session.bodies_.end()) {
            *flags |= NGHTTP2_DATA_FLAG_EOF;
            return 0;
        }
        auto& [body, sent] = it->second;
        const std::size_t n = std::min(length, body.size() - sent);
        std::memcpy(buf, body.data() + sent, n);
        sent += n;
        if (sent == body.size()) {
            *flags |= NGHTTP2_DATA_FLAG_EOF;
        }
        return static_cast<ssize_t>(n);
    }
};

h2_server_session::h2_server_session(const h2_server_config& config)
    : header_list_limit_(config.header_list_limit), body_limit_(config.body_limit) {
    nghttp2_session_callbacks* cbs = nullptr;
    if (nghttp2_session_callbacks_new(&cbs) != 0) {
        throw std::bad_alloc();
    }
    nghttp2_session_callbacks_set_on_begin_headers_callback(cbs, callbacks::on_begin_headers);
    nghttp2_session_callbacks_set_on_header_callback(cbs, callbacks::on_header);
    nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cbs, callbacks::on_data_chunk);
    nghttp2_session_callbacks_set_on_frame_recv_callback(cbs, callbacks::on_frame_recv);
    nghttp2_session_callbacks_set_on_stream_close_callback(cbs, callbacks::on_stream_close);
    nghttp2_option* options = nullptr;
    if (nghttp2_option_new(&options) != 0) {
        nghttp2_session_callbacks_del(cbs);
        throw std::bad_alloc();
    }
    // Without automatic WINDOW_UPDATEs and without nghttp2_session_consume() calls, none is
    // ever sent.
    nghttp2_option_set_no_auto_window_update(options, config.window_updates ? 0 : 1);
    nghttp2_option_set_no_auto_ping_ack(options, config.ping_acks ? 0 : 1);
    if (!config.dynamic_table) {
        nghttp2_option_set_max_deflate_dynamic_table_size(options, 0);
    }
    const int rv = nghttp2_session_server_new2(&session_, cbs, this, options);
    nghttp2_option_del(options);
    nghttp2_session_callbacks_del(cbs);
    if (rv != 0) {
        throw std::bad_alloc();
    }
    const std::array<nghttp2_settings_entry, 2> settings{
        {{NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, config.max_concurrent_streams},
         {NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE,
          static_cast<std::uint32_t>(config.header_list_limit)}}};
    if (nghttp2_submit_settings(session_, NGHTTP2_FLAG_NONE, settings.data(), settings.size()) !=
        0) {
        nghttp2_session_del(session_);
        throw std::bad_alloc();
    }
}

h2_server_session::~h2_server_session() {
    nghttp2_session_del(session_);
}

bool h2_server_session::receive(std::string_view bytes) {
    const auto n = nghttp2_session_mem_recv(
        session_, reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
    return n >= 0;
}

bool h2_server_session::take_output(std::string& out) {
    for (;;) {
        const std::uint8_t* data = nullptr;
        const auto n = nghttp2_session_mem_send(session_, &data);
        if (n < 0) {
            return false;
        }
        if (n == 0) {
            return true;
        }
        out.append(view(data, static_cast<std::size_t>(n)));
    }
}

std::vector<h2_request> h2_server_session::take_requests() {
    return std::exchange(complete_, {});
}

void h2_server_session::answer(std::int32_t stream_id, int status,
                               const std::vector<std::pair<std::string, std::string>>& headers,
                               std::string body) {
    if (!stream_open(stream_id)) {
        return;  // reset by the client meanwhile: nothing to answer, nothing to keep
    }
    std::vector<std::pair<std::string, std::string>> fields;
    fields.emplace_back(":status", std::to_string(status >= 100 && status <= 999 ? status : 500));
    bool typed = false;
    for (const auto& [name, value] : headers) {
        std::string n = lower(name);
        if (n.empty() || n.starts_with(':') || connection_specific(n)) {
            continue;
        }
        typed = typed || n == "content-type";
        fields.emplace_back(std::move(n), value);
    }
    if (!typed) {
        fields.emplace_back("content-type", "application/json");
    }
    fields.emplace_back("content-length", std::to_string(body.size()));
    std::vector<nghttp2_nv> nva;
    nva.reserve(fields.size());
    for (const auto& [name, value] : fields) {
        nva.push_back(field(name, value));
    }
    nghttp2_data_provider provider{};
    provider.read_callback = callbacks::read_body;
    const bool has_body = !body.empty();
    if (has_body) {
        bodies_.insert_or_assign(stream_id, std::pair{std::move(body), std::size_t{0}});
    }
    if (nghttp2_submit_response(session_, stream_id, nva.data(), nva.size(),
                                has_body ? &provider : nullptr) != 0) {
        bodies_.erase(stream_id);  // nghttp2 refused it (e.g. out of memory)
    }
}

void h2_server_session::refuse(std::int32_t stream_id) {
    nghttp2_submit_rst_stream(session_, NGHTTP2_FLAG_NONE, stream_id, NGHTTP2_REFUSED_STREAM);
}

void h2_server_session::fail(std::int32_t stream_id) {
    nghttp2_submit_rst_stream(session_, NGHTTP2_FLAG_NONE, stream_id, NGHTTP2_INTERNAL_ERROR);
}

void h2_server_session::go_away(std::int32_t last_stream_id) {
    nghttp2_submit_goaway(session_, NGHTTP2_FLAG_NONE, last_stream_id, NGHTTP2_NO_ERROR, nullptr,
                          0);
}

bool h2_server_session::stream_open(std::int32_t stream_id) const {
    // A server keeps closed streams for a while (for priorities): they are found, closed.
    nghttp2_stream* stream = nghttp2_session_find_stream(session_, stream_id);
    return stream != nullptr && nghttp2_stream_get_state(stream) != NGHTTP2_STREAM_STATE_CLOSED;
}

bool h2_server_session::alive() const {
    return nghttp2_session_want_read(session_) != 0 || nghttp2_session_want_write(session_) != 0;
}

}  // namespace stytch::mock::detail
