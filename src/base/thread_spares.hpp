#pragma once

// Spare objects kept per thread for reuse: what one call gives back when it ends, the next call
// started on that thread takes (its room already allocated). Bounded, and safe while the thread
// exits: an object given back after the thread's list is gone is simply dropped.

#include <cstddef>
#include <optional>
#include <utility>
#include <vector>

namespace stytch::detail {

/// At most `Max` spare `T`s per thread; `Tag` makes lists of the same type distinct.
template <class T, std::size_t Max, class Tag>
class thread_spares {
  public:
    /// A spare of this thread, if it has one.
    static std::optional<T> take() noexcept {
        auto* s = spares();
        if (s == nullptr || s->empty()) {
            return std::nullopt;
        }
        std::optional<T> item(std::move(s->back()));
        s->pop_back();
        return item;
    }

    /// Keeps `item` for a later take() on this thread; when full (or exiting) it is dropped.
    static void give(T&& item) noexcept {
        auto* s = spares();
        if (s == nullptr || s->size() == Max) {
            return;
        }
        if (s->capacity() == 0) {
            try {
                s->reserve(Max);  // once: push_back below then never allocates or throws
            } catch (...) {
                return;
            }
        }
        s->push_back(std::move(item));
    }

  private:
    // A thread's objects destroyed late (a thread_local client, or a static one for the main
    // thread) may give back after its list is gone: a flag without a destructor says so.
    static bool& gone() noexcept {
        thread_local bool flag = false;
        return flag;
    }
    struct list {
        std::vector<T> items;
        ~list() { gone() = true; }
    };
    static std::vector<T>* spares() noexcept {
        if (gone()) {
            return nullptr;
        }
        thread_local list l;
        return &l.items;
    }
};

}  // namespace stytch::detail
