#include "arguments.hpp"

#include <algorithm>
#include <charconv>
#include <vector>

namespace stytch::cli {
namespace {

constexpr std::string_view command_name = "delete-external-id";

// Levenshtein distance; the strings are short command-line words.
std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) {
        row[j] = j;
    }
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t above = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] != b[j - 1])});
            diagonal = above;
        }
    }
    return row[b.size()];
}

std::string did_you_mean(std::string_view typed,
                         std::initializer_list<std::string_view> candidates) {
    if (auto best = closest(typed, candidates)) {
        return "; did you mean '" + std::string(*best) + "'?";
    }
    return " (try --help)";
}

// A whole decimal number in [low, high], or nothing.
std::optional<std::size_t> number_in(const std::string& text, std::size_t low, std::size_t high) {
    std::size_t n = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    if (ec != std::errc{} || end != text.data() + text.size() || n < low || n > high) {
        return std::nullopt;
    }
    return n;
}

}  // namespace

std::optional<std::string_view> closest(std::string_view typed,
                                        std::initializer_list<std::string_view> candidates) {
    std::optional<std::string_view> best;
    std::size_t best_distance = 4;  // more edits than this is another word
    std::size_t prefixed = 0;
    std::string_view prefix_match;
    for (const auto c : candidates) {
        if (typed.size() >= 3 && c.starts_with(typed)) {
            ++prefixed;
            prefix_match = c;
        }
        if (const std::size_t d = edit_distance(typed, c); d < best_distance) {
            best_distance = d;
            best = c;
        }
    }
    if (!best && prefixed == 1) {
        best = prefix_match;
    }
    return best;
}

std::optional<std::string> parse_arguments(int argc, char** argv, arguments& out) {
    for (int i = 1; i < argc; ++i) {
        const std::string_view arg = argv[i];
        if (arg == "--") {
            break;
        }
        if (arg == "--help" || arg == "-h") {
            out.what = arguments::action::help;
            return std::nullopt;
        }
        if (arg == "--version") {
            out.what = arguments::action::version;
            return std::nullopt;
        }
    }
    if (argc < 2) {
        return "missing command (try --help)";
    }
    int first = 1;
    if (std::string_view(argv[1]) == "--verbose") {  // also accepted before the command
        out.verbose = true;
        first = 2;
    }
    if (first >= argc) {
        return "missing command (try --help)";
    }
    if (const std::string_view command = argv[first]; command != command_name) {
        return "unknown command '" + std::string(command) + "'" +
               did_you_mean(command, {command_name});
    }
    bool have_id = false;
    bool options_done = false;
    std::string_view bulk_only;  // the last option given that only --ids uses
    for (int i = first + 1; i < argc; ++i) {
        std::string_view arg = argv[i];
        auto value_of = [&](std::string_view name) -> std::optional<std::string> {
            if (arg.size() > name.size() && arg.substr(0, name.size()) == name &&
                arg[name.size()] == '=') {
                return std::string(arg.substr(name.size() + 1));
            }
            if (arg == name && i + 1 < argc) {
                return std::string(argv[++i]);
            }
            return std::nullopt;
        };
        if (!options_done && arg == "--") {
            options_done = true;
        } else if (!options_done && arg == "--verbose") {
            out.verbose = true;
        } else if (!options_done && arg.starts_with("--session-token")) {
            auto v = value_of("--session-token");
            if (!v || out.session_token) {
                return "--session-token needs exactly one value";
            }
            out.session_token = std::move(v);
        } else if (!options_done && arg.starts_with("--session-jwt")) {
            auto v = value_of("--session-jwt");
            if (!v || out.session_jwt) {
                return "--session-jwt needs exactly one value";
            }
            out.session_jwt = std::move(v);
        } else if (!options_done && arg.starts_with("--ids")) {
            auto v = value_of("--ids");
            if (!v || v->empty() || out.ids_file) {
                return "--ids needs exactly one FILE (or - for stdin)";
            }
            out.ids_file = std::move(v);
        } else if (!options_done && arg.starts_with("--resume")) {
            bulk_only = "--resume";
            auto v = value_of("--resume");
            if (!v || v->empty() || out.resume_file) {
                return "--resume needs exactly one RESULTS file";
            }
            out.resume_file = std::move(v);
        } else if (!options_done && arg.starts_with("--concurrency")) {
            bulk_only = "--concurrency";
            auto v = value_of("--concurrency");
            auto n = v ? number_in(*v, 1, 1024) : std::nullopt;
            if (!n) {
                return "--concurrency needs a number of calls from 1 to 1024";
            }
            out.concurrency = *n;
        } else if (!options_done && arg.starts_with("--backoff")) {
            bulk_only = "--backoff";
            auto v = value_of("--backoff");
            auto n = v ? number_in(*v, 1, 3'600'000) : std::nullopt;
            if (!n) {
                return "--backoff needs a number of milliseconds from 1 to 3600000";
            }
            out.backoff = std::chrono::milliseconds(*n);
        } else if (!options_done && arg.starts_with("-") && arg.size() > 1) {
            // Never echo a value: `--sesion-token=SECRET` names only the option.
            const std::string_view name = arg.substr(0, arg.find('='));
            return "unknown option '" + std::string(name) + "'" +
                   did_you_mean(name,
                                {"--session-token", "--session-jwt", "--verbose", "--ids",
                                 "--concurrency", "--resume", "--backoff", "--version", "--help"});
        } else if (have_id) {
            return "more than one ORGANIZATION_ID given";
        } else {
            out.organization_id = std::string(arg);
            have_id = true;
        }
    }
    if (have_id && out.ids_file) {
        return "give either ORGANIZATION_ID or --ids FILE, not both";
    }
    if (!have_id && !out.ids_file) {
        return "missing ORGANIZATION_ID (or --ids FILE)";
    }
    if (out.ids_file && out.verbose) {
        return "--verbose reports the attempts of one call: it does not apply to --ids";
    }
    if (!out.ids_file) {
        if (!bulk_only.empty()) {
            return std::string(bulk_only) + " applies to --ids only";
        }
    }
    if (out.session_token && out.session_jwt) {
        return "--session-token and --session-jwt are mutually exclusive";
    }
    return std::nullopt;
}

}  // namespace stytch::cli
