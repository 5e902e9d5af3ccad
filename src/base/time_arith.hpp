#pragma once

// Duration arithmetic that never overflows: a duration too large for its target saturates at
// the target's limit, so a huge timeout means "no practical limit" instead of undefined
// behaviour (std::chrono's own conversions and additions overflow silently).

#include <chrono>
#include <cstdint>
#include <ratio>
#include <type_traits>

namespace stytch::detail {

/// `d` converted to `To` like `duration_cast` (truncating toward zero), but clamped to
/// [To::min(), To::max()] instead of overflowing. Integer counts and unit ratios only.
template <class To, class Rep, class Period>
constexpr To clamp_cast(std::chrono::duration<Rep, Period> d) {
    using factor = std::ratio_divide<Period, typename To::period>;
    static_assert(factor::num == 1 || factor::den == 1, "only whole multiples or fractions");
    static_assert(std::is_integral_v<Rep> && std::is_signed_v<Rep> &&
                      std::is_integral_v<typename To::rep> && std::is_signed_v<typename To::rep>,
                  "signed integer counts only");
    constexpr std::intmax_t hi = To::max().count();
    constexpr std::intmax_t lo = To::min().count();
    std::intmax_t count = d.count();
    if constexpr (factor::den == 1) {  // to a finer unit: a multiplication that may overflow
        if (count > hi / factor::num) {
            return To::max();
        }
        if (count < lo / factor::num) {
            return To::min();
        }
        count *= factor::num;
    } else {  // to a coarser unit: a division, then a range check for a narrower count
        count /= factor::den;
        if (count > hi) {
            return To::max();
        }
        if (count < lo) {
            return To::min();
        }
    }
    return To(static_cast<typename To::rep>(count));
}

/// `t + d`, clamped to [time_point::min(), time_point::max()]. A `d` at or past the limits of
/// the time point's duration counts as forever (or forever ago), whatever `t` is.
template <class Clock, class Duration, class Rep, class Period>
constexpr std::chrono::time_point<Clock, Duration> saturating_add(
    std::chrono::time_point<Clock, Duration> t, std::chrono::duration<Rep, Period> d) {
    using point = std::chrono::time_point<Clock, Duration>;
    const auto step = clamp_cast<Duration>(d).count();
    if (step == Duration::max().count()) {
        return point::max();
    }
    if (step == Duration::min().count()) {
        return point::min();
    }
    const auto since = t.time_since_epoch().count();
    if (step > 0 && since > Duration::max().count() - step) {
        return point::max();
    }
    if (step < 0 && since < Duration::min().count() - step) {
        return point::min();
    }
    return point(Duration(since + step));
}

/// `d * 2`, clamped to `Duration::max()`; `d` is not negative.
template <class Duration>
constexpr Duration saturating_double(Duration d) {
    return d > Duration::max() / 2 ? Duration::max() : d * 2;
}

}  // namespace stytch::detail
