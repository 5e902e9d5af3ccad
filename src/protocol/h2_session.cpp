#include "protocol/h2_session.hpp"

#include <nghttp2/nghttp2.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <new>
#include <utility>

#include "protocol/h2_callbacks.hpp"

namespace stytch::detail {

namespace {

constexpr std::uint32_t min_stream_window = 65535;    // the protocol's default
constexpr std::uint32_t max_window = (1u << 31) - 1;  // RFC 9113 §6.9.1
// Room above the body limit in the budget: one answer just under the limit never exceeds it.
constexpr std::size_t budget_slack = 64 * 1024;

std::string_view view(const std::uint8_t* data, std::size_t size) {
    return {reinterpret_cast<const char*>(data), size};
}

}  // namespace

std::string_view h2_error_name(std::uint32_t code) noexcept {
    return nghttp2_http2_strerror(code);
}

h2_state next_state(h2_state state, h2_event event) noexcept {
    switch (event) {
        case h2_event::goaway_received:
            return state == h2_state::open ? h2_state::draining : state;
        case h2_event::connection_failed:
        case h2_event::ended:
            return h2_state::closed;
    }
    return state;
}

h2_session::h2_session(const h2_limits& limits)
    : limits_(limits),
      window_(std::clamp<std::size_t>(
          limits.connection_window,
          std::min<std::size_t>(limits.body_limit, max_window) + budget_slack, max_window)) {
    nghttp2_session_callbacks* cbs = callbacks::make();
    nghttp2_option* options = nullptr;
    if (nghttp2_option_new(&options) != 0) {
        nghttp2_session_callbacks_del(cbs);
        throw std::bad_alloc();
    }
    nghttp2_option_set_max_continuations(options, limits_.max_continuations);
    nghttp2_mem mem = memory_.nghttp2_allocator();
    const int rv = nghttp2_session_client_new3(&session_, cbs, this, options, &mem);
    nghttp2_option_del(options);
    nghttp2_session_callbacks_del(cbs);
    if (rv != 0) {
        throw std::bad_alloc();
    }

    // A stream window as large as the body limit: the whole answer arrives without waiting for
    // a WINDOW_UPDATE (nghttp2 sends those by itself as data is consumed).
    const auto stream_window = static_cast<std::uint32_t>(
        std::clamp<std::size_t>(limits_.body_limit, min_stream_window, max_window));
    const nghttp2_settings_entry settings[] = {
        {NGHTTP2_SETTINGS_ENABLE_PUSH, 0},
        {NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, stream_window},
        {NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE,
         static_cast<std::uint32_t>(std::min<std::size_t>(limits_.header_list_limit, max_window))},
    };
    if (nghttp2_submit_settings(session_, NGHTTP2_FLAG_NONE, settings, std::size(settings)) != 0 ||
        nghttp2_session_set_local_window_size(session_, NGHTTP2_FLAG_NONE, 0,
                                              static_cast<std::int32_t>(window_)) != 0) {
        nghttp2_session_del(session_);
        throw std::bad_alloc();
    }
}

h2_session::~h2_session() {
    nghttp2_session_del(session_);
}

void h2_session::receive(std::string_view bytes) {
    if (state_ == h2_state::closed) {
        return;
    }
    const auto rv = nghttp2_session_mem_recv(
        session_, reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
    if (rv < 0) {
        // nghttp2 stops at a fatal error without a GOAWAY: one is queued, so the server learns
        // why before the connection closes (RFC 9113 §5.4.1); the calls see its code.
        goaway_code_ =
            rv == NGHTTP2_ERR_FLOODED ? NGHTTP2_ENHANCE_YOUR_CALM : NGHTTP2_PROTOCOL_ERROR;
        fail_connection(static_cast<int>(rv));
        nghttp2_session_terminate_session(session_, goaway_code_);
        return;
    }
    relieve_window();
    check_alive();
}

void h2_session::relieve_window() {
    while (held_ > window_ && !streams_.empty()) {
        const auto most = std::max_element(
            streams_.begin(), streams_.end(),
            [](const auto& a, const auto& b) { return a.second.held < b.second.held; });
        if (most->second.held == 0) {
            return;
        }
        const std::int32_t id = most->first;
        most->second.result.reason = "the answers in progress exceed the connection's budget";
        end_stream(id, h2_outcome::body_too_large);
        if (nghttp2_submit_rst_stream(session_, NGHTTP2_FLAG_NONE, id, NGHTTP2_CANCEL) != 0) {
            fail_connection(NGHTTP2_ERR_NOMEM);
        }
    }
}

void h2_session::connection_lost() {
    if (state_ != h2_state::closed) {
        fail_connection(NGHTTP2_ERR_EOF);
    }
}

void h2_session::take_output(std::string& out) {
    for (;;) {
        const std::uint8_t* data = nullptr;
        const auto n = nghttp2_session_mem_send(session_, &data);
        if (n < 0) {
            fail_connection(static_cast<int>(n));
            return;
        }
        if (n == 0) {
            break;
        }
        out.append(view(data, static_cast<std::size_t>(n)));
    }
    check_alive();
}

std::int32_t h2_session::submit(std::span<const header_field> fields) {
    if (state_ != h2_state::open) {
        return 0;
    }
    // On the stack for a request's usual few fields; nghttp2 copies names and values (into one
    // allocation) and never writes through these pointers.
    std::array<nghttp2_nv, 16> inline_nva;
    std::vector<nghttp2_nv> heap_nva;
    nghttp2_nv* nva = inline_nva.data();
    if (fields.size() > inline_nva.size()) {
        heap_nva.resize(fields.size());
        nva = heap_nva.data();
    }
    for (std::size_t i = 0; i < fields.size(); ++i) {
        const header_field& f = fields[i];
        nva[i] = {reinterpret_cast<std::uint8_t*>(const_cast<char*>(f.name.data())),
                  reinterpret_cast<std::uint8_t*>(const_cast<char*>(f.value.data())), f.name.size(),
                  f.value.size(), NGHTTP2_NV_FLAG_NONE};
    }
    const std::int32_t id =
        nghttp2_submit_request(session_, nullptr, nva, fields.size(), nullptr, nullptr);
    if (id <= 0) {
        return 0;  // no stream id left, or a field nghttp2 refuses
    }
    if (spare_nodes_.empty()) {
        streams_.emplace(id, stream{});
    } else {
        auto node = std::move(spare_nodes_.back());
        spare_nodes_.pop_back();
        node.key() = id;
        node.mapped() = stream{};
        streams_.insert(std::move(node));
    }
    return id;
}

void h2_session::cancel(std::int32_t stream_id) {
    if (streams_.count(stream_id) == 0) {
        return;
    }
    end_stream(stream_id, h2_outcome::cancelled, NGHTTP2_CANCEL);
    if (state_ != h2_state::closed &&
        nghttp2_submit_rst_stream(session_, NGHTTP2_FLAG_NONE, stream_id, NGHTTP2_CANCEL) != 0) {
        fail_connection(NGHTTP2_ERR_NOMEM);
    }
}

void h2_session::ping() {
    if (state_ != h2_state::closed &&
        nghttp2_submit_ping(session_, NGHTTP2_FLAG_NONE, nullptr) != 0) {
        fail_connection(NGHTTP2_ERR_NOMEM);
    }
}

void h2_session::go_away() {
    // nghttp2 wants neither to read nor to write once the GOAWAY is out: check_alive() then
    // ends the session.
    if (state_ != h2_state::closed &&
        nghttp2_session_terminate_session(session_, NGHTTP2_NO_ERROR) != 0) {
        fail_connection(NGHTTP2_ERR_NOMEM);
    }
}

std::vector<h2_result> h2_session::take_finished() {
    return std::exchange(finished_, {});
}

std::uint32_t h2_session::max_concurrent_streams() const noexcept {
    return nghttp2_session_get_remote_settings(session_, NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS);
}

void h2_session::end_stream(std::int32_t stream_id, h2_outcome outcome, std::uint32_t error_code) {
    const auto it = streams_.find(stream_id);
    if (it == streams_.end()) {
        return;
    }
    held_ -= it->second.held;
    h2_result& r = it->second.result;
    r.stream_id = stream_id;
    r.outcome = outcome;
    r.error_code = error_code;
    if (outcome != h2_outcome::answered) {
        r.status = 0;
        r.body = {};
        r.retry_after = {};
    }
    finished_.push_back(std::move(r));
    spare_nodes_.push_back(streams_.extract(it));
}

void h2_session::on_close(std::int32_t stream_id, std::uint32_t error_code) {
    const auto it = streams_.find(stream_id);
    if (it == streams_.end()) {
        return;  // already ended here (limits, cancel)
    }
    stream& s = it->second;
    h2_outcome outcome = h2_outcome::protocol_error;  // nghttp2 reset a malformed answer
    if (goaway_last_stream_id_ >= 0 && stream_id > goaway_last_stream_id_) {
        outcome = h2_outcome::not_processed;
    } else if (s.complete && s.result.status >= 200 && error_code == NGHTTP2_NO_ERROR) {
        outcome = h2_outcome::answered;
    } else if (s.peer_reset) {
        outcome = error_code == NGHTTP2_REFUSED_STREAM ? h2_outcome::refused : h2_outcome::reset;
    }
    if (outcome == h2_outcome::protocol_error) {
        s.result.reason = last_error_.empty() ? "malformed answer" : last_error_;
    }
    end_stream(stream_id, outcome, error_code);
}

void h2_session::fail_connection(int nghttp2_error, h2_event why) {
    connection_error_ = nghttp2_error;
    state_ = next_state(state_, why);
    const std::string reason = broken_by_peer() ? failure_reason(nghttp2_error) : std::string();
    while (!streams_.empty()) {
        const auto it = streams_.begin();
        const std::int32_t id = it->first;
        if (goaway_last_stream_id_ >= 0 && id > goaway_last_stream_id_) {
            end_stream(id, h2_outcome::not_processed);
        } else {
            it->second.result.reason = reason;
            end_stream(id, h2_outcome::connection_error, goaway_code_);
        }
    }
}

bool h2_session::broken_by_peer() const noexcept {
    return connection_error_ != 0 && connection_error_ != NGHTTP2_ERR_EOF;
}

std::string h2_session::failure_reason(int nghttp2_error) const {
    std::string why = nghttp2_error == NGHTTP2_ERR_PROTO
                          ? "GOAWAY " + std::string(h2_error_name(goaway_code_)) + " sent"
                          : std::string(nghttp2_strerror(nghttp2_error));
    if (!last_error_.empty()) {
        why += ": " + last_error_;
    }
    return why;
}

void h2_session::check_alive() {
    // nghttp2 reads no more once it sent a GOAWAY (a protocol error of the server), or once a
    // GOAWAY was received and no stream is left.
    if (state_ != h2_state::closed && nghttp2_session_want_read(session_) == 0) {
        fail_connection(
            streams_.empty() && goaway_code_ == NGHTTP2_NO_ERROR ? 0 : NGHTTP2_ERR_PROTO,
            h2_event::ended);
    }
}

}  // namespace stytch::detail
