#pragma once

// A doubly linked list through hooks inside its elements: the engine's queues cost no
// allocation per element, and an element leaves from anywhere in O(1).

namespace stytch::detail {

/// The links an element keeps for one list it may be on.
template <class T>
struct list_hook {
    T* prev = nullptr;
    T* next = nullptr;
    bool linked = false;
};

/// Elements are not owned. An element is on at most one list per hook.
template <class T, list_hook<T> T::*Hook>
class intrusive_list {
  public:
    bool empty() const noexcept { return head_ == nullptr; }
    T* front() const noexcept { return head_; }
    T* back() const noexcept { return tail_; }
    static T* next(const T& e) noexcept { return (e.*Hook).next; }
    static T* prev(const T& e) noexcept { return (e.*Hook).prev; }
    static bool linked(const T& e) noexcept { return (e.*Hook).linked; }

    void push_back(T& e) noexcept { insert_after(tail_, e); }

    /// Links `e` after `before`; at the front when `before` is null.
    void insert_after(T* before, T& e) noexcept {
        auto& h = e.*Hook;
        h.prev = before;
        h.next = before ? (before->*Hook).next : head_;
        (before ? (before->*Hook).next : head_) = &e;
        (h.next ? (h.next->*Hook).prev : tail_) = &e;
        h.linked = true;
    }

    void erase(T& e) noexcept {
        auto& h = e.*Hook;
        (h.prev ? (h.prev->*Hook).next : head_) = h.next;
        (h.next ? (h.next->*Hook).prev : tail_) = h.prev;
        h = {};
    }

  private:
    T* head_ = nullptr;
    T* tail_ = nullptr;
};

}  // namespace stytch::detail
