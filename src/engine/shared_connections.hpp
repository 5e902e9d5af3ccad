#pragma once

// The pool's HTTP/2 connections (see connection_pool.hpp): each is shared by as many calls as
// it has streams. Not thread-safe: the pool's owner holds its mutex.

#include <cstddef>
#include <iterator>
#include <memory>
#include <vector>

namespace stytch::detail {

/// `Connection` needs retire(), accepting(), capacity() and a member `streams`.
template <class Connection>
class shared_connections {
  public:
    using connection_ptr = std::shared_ptr<Connection>;

    void add(connection_ptr conn) { all_.push_back(std::move(conn)); }

    /// The least-loaded connection that takes another stream, if any.
    connection_ptr least_loaded() const {
        const connection_ptr* best = nullptr;
        for (const auto& c : all_) {
            if (c->accepting() && c->streams < c->capacity() &&
                (best == nullptr || c->streams < (*best)->streams)) {
                best = &c;
            }
        }
        return best ? *best : nullptr;
    }

    /// Retires (closes, on their strands) the connections `which` selects and forgets them;
    /// returns how many.
    template <class Which>
    std::size_t drop(Which which) {
        return std::erase_if(all_, [&](const connection_ptr& c) {
            if (!which(*c)) {
                return false;
            }
            c->retire();
            return true;
        });
    }

    /// Forgets every connection, without closing any: they are appended to `out`.
    void abandon(std::vector<connection_ptr>& out) {
        std::move(all_.begin(), all_.end(), std::back_inserter(out));
        all_.clear();
    }

    std::size_t size() const noexcept { return all_.size(); }

    /// Connections without a stream.
    std::size_t idle() const noexcept {
        std::size_t n = 0;
        for (const auto& c : all_) {
            n += c->streams == 0 ? 1 : 0;
        }
        return n;
    }

  private:
    std::vector<connection_ptr> all_;
};

}  // namespace stytch::detail
