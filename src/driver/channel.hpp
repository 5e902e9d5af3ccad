#pragma once

// The protocol a connection speaks once opened, behind one small interface: http1_channel (one
// call at a time) or h2_channel (many calls' streams at once), chosen by ALPN in
// connection::async_open. The connection owns the transport and its life; everything that
// differs between the protocols is in the two channels and nowhere else. Everything here runs
// on the connection's strand, except accepting() and capacity() (read by the pool).

#include <boost/asio/awaitable.hpp>
#include <boost/system/error_code.hpp>

#include <cstddef>
#include <memory>

#include "driver/attempt_context.hpp"
#include "engine/outcome.hpp"

namespace stytch::detail {

template <class Executor>
class channel {
  public:
    template <class T>
    using task = boost::asio::awaitable<T, Executor>;

    virtual ~channel() = default;

    /// True when many calls use the connection at once (the pool's shared entries).
    virtual bool shared() const noexcept = 0;
    /// True while the connection takes another call (any thread).
    virtual bool accepting() const noexcept = 0;
    /// How many calls it may carry at once (any thread).
    virtual std::size_t capacity() const noexcept = 0;

    /// The protocol's part of an attempt, from the check that a pooled connection is still
    /// usable to the judged answer. `owner` keeps the connection alive meanwhile.
    virtual task<outcome> async_attempt(attempt_context& a, std::shared_ptr<void> owner) = 0;

    /// After an attempt: why the connection must close (it cannot serve another call), or
    /// nothing.
    virtual boost::system::error_code closes_after(const outcome& o) const noexcept = 0;

    /// Interrupts the attempt `who`; false when that means closing the connection (if `who`
    /// still uses it), which the connection does.
    virtual bool interrupt(const void* who, const std::shared_ptr<void>& owner) = 0;

    /// The connection was closed: whatever waits on it ends.
    virtual void connection_lost(boost::system::error_code why) = 0;

    /// The execution context is being destroyed: waiting coroutines are destroyed, not resumed.
    virtual void abandon() noexcept = 0;

    /// The protocol's goodbye before TLS close_notify (HTTP/2: GOAWAY); completes once sent.
    virtual task<boost::system::error_code> async_go_away() = 0;

    /// Trims what an idle connection holds.
    virtual void release_buffers() noexcept = 0;
};

}  // namespace stytch::detail
