#pragma once

// JSON texts for depth tests.

#include <cstddef>
#include <string>

namespace stytch::test {

/// `n` objects nested in one another: `{"a":{"a":...true...}}`.
inline std::string nested_objects(std::size_t n) {
    std::string s;
    for (std::size_t i = 0; i < n; ++i) {
        s += "{\"a\":";
    }
    s += "true";
    s.append(n, '}');
    return s;
}

}  // namespace stytch::test
