#pragma once

// The state of the typed decoder per open container: the frames of typed_handler's stack, and
// the path to a failing value that each frame keeps (written only on failure).

#include <array>
#include <climits>
#include <cstddef>
#include <cstdint>

#include <stytch/error.hpp>

#include "codec/typed_tables.hpp"

namespace stytch::detail::json_decode {

/// A frame's `err_index` while nothing in it failed.
inline constexpr int no_error = INT_MAX;

/// Room for the typed frames: the deepest typed path is 7 containers.
inline constexpr std::size_t max_typed_depth = 8;

/// One step of the path to a failing value: a member, or an element of an array.
struct path_step {
    const field_desc* field;  // the member, or null for an array element
    std::size_t index;        // the element's index
};

/// Where a frame's recorded failure lies, relative to the frame. Written only on failure.
struct failure_path {
    std::array<path_step, max_typed_depth> steps;
    std::size_t size;
};

/// A typed container being filled.
struct frame {
    enum kind_t : std::uint8_t { record, string_array, record_array } kind;
    const record_desc* desc = nullptr;  // record: its table; record_array: the element's
    void* target = nullptr;             // record: T*; arrays: std::vector<...>*
    std::uint64_t present = 0;          // record: fields seen with a non-null value
    int field = -1;                     // record: the field whose value comes next, -1: unknown
    std::uint32_t hint = 0;             // record: where the next key is looked up first
    int err_index = no_error;           // record: lowest failing field; arrays: 0 once failed
    error err{};
};

}  // namespace stytch::detail::json_decode
