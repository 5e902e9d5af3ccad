#include "progress.hpp"

#include <cstdio>

namespace stytch::cli {
namespace {

double seconds(std::chrono::steady_clock::duration d) {
    return std::chrono::duration<double>(d).count();
}

std::string fixed(double value, const char* format) {
    char text[48];
    std::snprintf(text, sizeof text, format, value);
    return text;
}

// h:mm:ss, or m:ss under an hour.
std::string clock_text(double s) {
    const auto total = static_cast<long long>(s + 0.5);
    char text[32];
    if (total >= 3600) {
        std::snprintf(text, sizeof text, "%lld:%02lld:%02lld", total / 3600, total / 60 % 60,
                      total % 60);
    } else {
        std::snprintf(text, sizeof text, "%lld:%02lld", total / 60, total % 60);
    }
    return text;
}

double rate_of(const tally& t, std::chrono::steady_clock::duration elapsed) {
    const double s = seconds(elapsed);
    return s > 0 ? static_cast<double>(t.done()) / s : 0.0;
}

std::string plural(std::size_t n, const char* one, const char* many) {
    return std::to_string(n) + " " + (n == 1 ? one : many);
}

}  // namespace

std::string progress_line(const tally& t, std::chrono::steady_clock::duration elapsed,
                          bool paused) {
    const double rate = rate_of(t, elapsed);
    const double percent =
        t.total == 0 ? 100.0 : 100.0 * static_cast<double>(t.done()) / static_cast<double>(t.total);
    std::string line = std::to_string(t.done()) + "/" + std::to_string(t.total) + " (" +
                       fixed(percent, "%.0f") + "%)  " + fixed(rate, "%.1f") + "/s  " +
                       plural(t.failed, "error", "errors") + "  ETA ";
    line += rate > 0 ? clock_text(static_cast<double>(t.not_done()) / rate) : "-";
    if (paused) {
        line += "  paused (HTTP 429)";
    }
    return line;
}

std::string summary_line(const tally& t, std::chrono::steady_clock::duration elapsed,
                         std::size_t answers_429, bool interrupted) {
    std::string line = plural(t.total, "id", "ids") + ": " + std::to_string(t.succeeded) +
                       " succeeded, " + std::to_string(t.failed) + " failed";
    if (t.not_done() != 0) {
        line += ", " + std::to_string(t.not_done()) + " not done";
    }
    line += " in " + fixed(seconds(elapsed), "%.1f") + " s (" + fixed(rate_of(t, elapsed), "%.1f") +
            "/s)";
    if (t.skipped != 0) {
        line += "; " + std::to_string(t.skipped) + " skipped (succeeded in the resumed run)";
    }
    if (answers_429 != 0) {
        line += "; " + plural(answers_429, "answer", "answers") + " HTTP 429";
    }
    if (interrupted) {
        line += "; interrupted";
    }
    return line;
}

}  // namespace stytch::cli
