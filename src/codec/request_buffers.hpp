#pragma once

// The buffers that requests are encoded into, recycled: a call gives its buffer back when it
// ends and the next call started on that thread encodes into it, so that the steady state
// does not allocate the ~300 bytes of each request.

#include <cstddef>
#include <string>

namespace stytch::detail::request_buffers {

/// At most this many spare buffers per thread, each of at most `max_capacity` bytes: a burst
/// or a huge session token does not stay on the heap for the thread's lifetime.
inline constexpr std::size_t max_spares = 64;
inline constexpr std::size_t max_capacity = 4096;

/// A spare buffer of this thread (empty, with the room it had), or a new empty one.
std::string take() noexcept;

/// Keeps `buffer`'s room for a later take() on this thread, within the limits above.
void give(std::string&& buffer) noexcept;

}  // namespace stytch::detail::request_buffers
