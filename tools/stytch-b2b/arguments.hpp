#pragma once

// The command line of stytch-b2b: what to do, and a reason (with a suggestion for a typo) when
// the arguments are unusable.

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include <stytch/b2b/organizations.hpp>

namespace stytch::cli {

struct arguments {
    enum class action { call, help, version } what = action::call;
    std::string organization_id;
    std::optional<std::string> session_token;  // owned: the call's options only view them
    std::optional<std::string> session_jwt;
    bool verbose = false;  // each attempt on stderr
    // Bulk mode (--ids): the ids come from a file or stdin ("-") instead of the command line.
    std::optional<std::string> ids_file;
    std::optional<std::string> resume_file;
    std::size_t concurrency = 16;
    std::chrono::milliseconds backoff{1000};  // the shared pause after a 429
};

/// Parses argv; returns the reason when the arguments are unusable.
std::optional<std::string> parse_arguments(int argc, char** argv, arguments& out);

/// The candidate closest to `typed` (at most 3 edits, or a unique prefix), if any.
std::optional<std::string_view> closest(std::string_view typed,
                                        std::initializer_list<std::string_view> candidates);

}  // namespace stytch::cli
