#pragma once

// The calls in flight, earliest deadline first, so that one timer set to the earliest enforces
// every deadline without a timer operation per call. Calls mostly share the client's timeout,
// so a new one goes at (or near) the tail. Not thread-safe: under the engine's mutex.

#include "engine/intrusive_list.hpp"

namespace stytch::detail {

/// `Call` needs a `deadline` and a `list_hook<Call>` at `Hook`.
template <class Call, list_hook<Call> Call::*Hook>
class deadline_list {
  public:
    void insert(Call& c) noexcept {
        Call* before = list_.back();
        while (before != nullptr && before->deadline > c.deadline) {
            before = list_.prev(*before);
        }
        list_.insert_after(before, c);
    }

    void erase(Call& c) noexcept {
        if (list_.linked(c)) {
            list_.erase(c);
        }
    }

    Call* earliest() const noexcept { return list_.front(); }
    static Call* after(const Call& c) noexcept { return intrusive_list<Call, Hook>::next(c); }

  private:
    intrusive_list<Call, Hook> list_;
};

}  // namespace stytch::detail
