#include "rate_gate.hpp"

#include <algorithm>

namespace stytch::cli {

rate_gate::rate_gate(std::chrono::milliseconds first_pause, std::chrono::milliseconds max_pause)
    : first_(first_pause), max_(std::max(first_pause, max_pause)), next_(first_pause) {}

void rate_gate::rate_limited(clock::time_point now) {
    ++answers_429_;
    if (now < open_at_) {
        return;
    }
    open_at_ = now + next_;
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
