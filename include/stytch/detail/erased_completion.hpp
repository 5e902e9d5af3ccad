#pragma once

/// @file
/// A type-erased `void(error_code, T)` completion handler (implementation detail).

#include <boost/asio/any_completion_executor.hpp>
#include <boost/asio/associated_allocator.hpp>
#include <boost/asio/associated_cancellation_slot.hpp>
#include <boost/asio/associated_executor.hpp>
#include <boost/asio/cancellation_signal.hpp>
#include <boost/system/error_code.hpp>

#include <memory>
#include <new>
#include <type_traits>
#include <utility>

#include <stytch/detail/handler_allocator.hpp>

namespace stytch::detail {

/// A completion handler of any type for `void(error_code, T)`, invoked at most once.
///
/// `asio::any_completion_handler` passes its arguments by value through each of its layers, so
/// a `T` with many members is moved three times on its way; here it goes on by reference, and
/// the handler's own parameter is its only move. The handler's memory comes from its associated
/// allocator, else from handler_allocator (no heap allocation in steady state).
template <class T>
class erased_completion {
  public:
    /// Empty: holds no handler.
    erased_completion() noexcept = default;

    /// Takes `handler`. @throws what its allocator or its move throws.
    template <class Handler>
    requires(!std::is_same_v<std::decay_t<Handler>, erased_completion>) explicit erased_completion(
        Handler&& handler)
        : ops_(&ops_for<std::decay_t<Handler>>),
          impl_(make<std::decay_t<Handler>>(std::forward<Handler>(handler))) {}

    /// Takes the handler of `other`, which is left empty.
    erased_completion(erased_completion&& other) noexcept
        : ops_(other.ops_), impl_(std::exchange(other.impl_, nullptr)) {}
    erased_completion& operator=(erased_completion&&) = delete;
    ~erased_completion() {
        if (impl_) {
            ops_->destroy(impl_);
        }
    }

    /// Whether it holds a handler.
    explicit operator bool() const noexcept { return impl_ != nullptr; }

    /// The handler's associated executor, `fallback` when it has none. Requires a handler.
    boost::asio::any_completion_executor executor(
        const boost::asio::any_completion_executor& fallback) const noexcept {
        return ops_->executor(impl_, fallback);
    }

    /// The handler's associated cancellation slot. Requires a handler.
    boost::asio::cancellation_slot cancellation_slot() const noexcept { return ops_->slot(impl_); }

    /// Invokes the handler, after its memory was given back (Asio's rule), and is empty
    /// afterwards. Requires a handler.
    void operator()(boost::system::error_code ec, T&& value) && {
        ops_->complete(std::exchange(impl_, nullptr), ec, std::move(value));
    }

  private:
    struct operations {
        void (*complete)(void*, boost::system::error_code, T&&);
        void (*destroy)(void*) noexcept;
        boost::asio::any_completion_executor (*executor)(
            const void*, const boost::asio::any_completion_executor&) noexcept;
        boost::asio::cancellation_slot (*slot)(const void*) noexcept;
    };

    template <class Handler>
    using allocator_of = typename std::allocator_traits<boost::asio::associated_allocator_t<
        Handler, handler_allocator<void>>>::template rebind_alloc<Handler>;
    template <class Handler>
    using traits_of = std::allocator_traits<allocator_of<Handler>>;

    template <class Handler>
    static allocator_of<Handler> allocator(const Handler& h) noexcept {
        return allocator_of<Handler>(
            boost::asio::get_associated_allocator(h, handler_allocator<void>()));
    }

    template <class Handler, class Arg>
    static void* make(Arg&& arg) {
        auto alloc = allocator<Handler>(arg);
        Handler* p = traits_of<Handler>::allocate(alloc, 1);
        try {
            ::new (static_cast<void*>(p)) Handler(std::forward<Arg>(arg));
        } catch (...) {
            traits_of<Handler>::deallocate(alloc, p, 1);
            throw;
        }
        return p;
    }

    template <class Handler>
    static void destroy(void* p) noexcept {
        auto* h = static_cast<Handler*>(p);
        auto alloc = allocator(*h);
        h->~Handler();
        traits_of<Handler>::deallocate(alloc, h, 1);
    }

    template <class Handler>
    static void complete(void* p, boost::system::error_code ec, T&& value) {
        auto* stored = static_cast<Handler*>(p);
        Handler h(std::move(*stored));
        destroy<Handler>(stored);
        std::move(h)(ec, std::move(value));
    }

    template <class Handler>
    static boost::asio::any_completion_executor executor_of(
        const void* p, const boost::asio::any_completion_executor& fallback) noexcept {
        return boost::asio::any_completion_executor(
            std::nothrow,
            boost::asio::get_associated_executor(*static_cast<const Handler*>(p), fallback));
    }

    template <class Handler>
    static boost::asio::cancellation_slot slot_of(const void* p) noexcept {
        return boost::asio::get_associated_cancellation_slot(*static_cast<const Handler*>(p),
                                                             boost::asio::cancellation_slot());
    }

    template <class Handler>
    static constexpr operations ops_for{&complete<Handler>, &destroy<Handler>,
                                        &executor_of<Handler>, &slot_of<Handler>};

    const operations* ops_ = nullptr;
    void* impl_ = nullptr;
};

}  // namespace stytch::detail
