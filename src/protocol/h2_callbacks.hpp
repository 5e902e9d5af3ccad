#pragma once

// The nghttp2 callbacks of an h2_session (h2_callbacks.cpp): a private part of the session,
// with access to its streams.

#include <nghttp2/nghttp2.h>

#include <cstddef>
#include <cstdint>

#include "protocol/h2_session.hpp"

namespace stytch::detail {

struct h2_session::callbacks {
    /// A callback set for nghttp2_session_client_new2(), with the session as user_data; the
    /// caller deletes it (nghttp2_session_callbacks_del). Throws std::bad_alloc.
    static nghttp2_session_callbacks* make();

    static int on_header(nghttp2_session*, const nghttp2_frame* frame, const std::uint8_t* name,
                         std::size_t name_size, const std::uint8_t* value, std::size_t value_size,
                         std::uint8_t flags, void* user_data);
    static int on_data_chunk(nghttp2_session*, std::uint8_t flags, std::int32_t stream_id,
                             const std::uint8_t* data, std::size_t size, void* user_data);
    static int on_frame_recv(nghttp2_session*, const nghttp2_frame* frame, void* user_data);
    /// What nghttp2 found wrong with the server's frames, kept for the failure's details.
    static int on_error(nghttp2_session*, int code, const char* message, std::size_t size,
                        void* user_data);
    static int on_frame_send(nghttp2_session*, const nghttp2_frame* frame, void* user_data);
    static int on_stream_close(nghttp2_session*, std::int32_t stream_id, std::uint32_t error_code,
                               void* user_data);
};

}  // namespace stytch::detail
