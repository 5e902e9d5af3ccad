#pragma once

// A value that counts how often it is moved and copied, for the tests of what a completion
// does with the value it hands on.

#include <string>
#include <utility>

namespace stytch::test {

struct counted {
    static inline int moves = 0;
    static inline int copies = 0;
    std::string text;

    explicit counted(std::string t) : text(std::move(t)) {}
    counted(counted&& o) noexcept : text(std::move(o.text)) { ++moves; }
    counted(const counted& o) : text(o.text) { ++copies; }
    counted& operator=(const counted&) = delete;
    counted& operator=(counted&&) = delete;

    static void reset() { moves = copies = 0; }
};

}  // namespace stytch::test
