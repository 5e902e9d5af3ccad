#include "rate_gate.hpp"

#include <algorithm>

namespace stytch::cli {

rate_gate::rate_gate(std::chrono::milliseconds first_pause, std::chrono::milliseconds max_pause)
    : first_(first_pause), max_(std::max(first_pause, max_pause)), next_(first_pause) {}

void rate_gate::rate_limited(clock::time_point now,
                             std::optional<std::chrono::milliseconds> retry_after) {
    ++answers_429_;
    const auto asked =
        std::min(retry_after.value_or(std::chrono::milliseconds::zero()), longest_retry_after);
    if (now < open_at_) {
        open_at_ = std::max(open_at_, now + asked);
        return;
    }
    open_at_ = now + std::max(next_, asked);
    ++pauses_;
    next_ = std::min(max_, next_ * 2);
}

void rate_gate::succeeded(clock::time_point now) {
    // A success of a call that was in flight during the pause says nothing of the limit now.
    if (now >= open_at_) {
        next_ = first_;
    }
}

}  // namespace stytch::cli
