#include "codec/retry_after.hpp"

#include <array>
#include <charconv>
#include <cstdint>

#include "base/time_arith.hpp"

namespace stytch::detail {

namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
        s.remove_prefix(1);
    }
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
        s.remove_suffix(1);
    }
    return s;
}

template <class Int>
bool parse_fixed_digits(std::string_view s, Int& out) {
    if (s.empty()) {
        return false;
    }
    for (char ch : s) {
        if (ch < '0' || ch > '9') {
            return false;
        }
    }
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
    return ec == std::errc{} && end == s.data() + s.size();
}

// IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT", exactly 29 characters. In seconds since the
// epoch, which hold every four-digit year (system_clock's nanoseconds end in 2262).
std::optional<std::chrono::sys_seconds> parse_imf_fixdate(std::string_view s) {
    using namespace std::chrono;
    static constexpr std::array<std::string_view, 12> months{
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    if (s.size() != 29 || s.substr(3, 2) != ", " || s[7] != ' ' || s[11] != ' ' || s[16] != ' ' ||
        s[19] != ':' || s[22] != ':' || s.substr(25) != " GMT") {
        return std::nullopt;
    }
    unsigned day = 0, hour = 0, minute = 0, second = 0;
    int year_number = 0;
    if (!parse_fixed_digits(s.substr(5, 2), day) ||
        !parse_fixed_digits(s.substr(12, 4), year_number) ||
        !parse_fixed_digits(s.substr(17, 2), hour) ||
        !parse_fixed_digits(s.substr(20, 2), minute) ||
        !parse_fixed_digits(s.substr(23, 2), second)) {
        return std::nullopt;
    }
    unsigned month_number = 0;
    for (unsigned i = 0; i < months.size(); ++i) {
        if (s.substr(8, 3) == months[i]) {
            month_number = i + 1;
        }
    }
    year_month_day date{year{year_number}, month{month_number}, std::chrono::day{day}};
    if (month_number == 0 || !date.ok() || hour > 23 || minute > 59 || second > 60) {
        return std::nullopt;
    }
    return sys_days(date) + hours(hour) + minutes(minute) + seconds(second);
}

}  // namespace

std::optional<std::chrono::milliseconds> parse_retry_after(
    std::string_view value, std::chrono::system_clock::time_point now) {
    using namespace std::chrono;
    value = trim(value);
    if (!value.empty() && value.find_first_not_of("0123456789") == std::string_view::npos) {
        // delay-seconds; more than a 64-bit count can hold is the longest delay there is.
        std::int64_t delay_seconds = 0;
        auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), delay_seconds);
        return ec == std::errc{} ? clamp_cast<milliseconds>(seconds(delay_seconds))
                                 : milliseconds::max();
    }
    if (!value.empty() && value.front() >= '0' && value.front() <= '9') {
        return std::nullopt;  // digits mixed with other characters
    }
    auto when = parse_imf_fixdate(value);
    if (!when) {
        return std::nullopt;
    }
    // Whole seconds of a four-digit year and now's milliseconds are far from overflow.
    const auto now_ms = floor<milliseconds>(now.time_since_epoch());
    const auto when_ms = milliseconds(when->time_since_epoch());
    return when_ms <= now_ms ? milliseconds(0) : when_ms - now_ms;
}

}  // namespace stytch::detail
