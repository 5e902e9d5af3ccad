#pragma once

/// @file
/// @brief Implementation detail: an owned copy of a string that needs no allocation when it is
/// as short as an organization id.

#include <array>
#include <cstddef>
#include <cstring>
#include <string>
#include <string_view>

namespace stytch::detail {

/// An owned copy of a string view: inline up to `inline_size` characters (organization ids,
/// slugs and most external ids), on the heap beyond. Copies and moves keep the text.
class owned_text {
  public:
    static constexpr std::size_t inline_size = 80;

    owned_text() = default;
    explicit owned_text(std::string_view s) {
        if (s.size() <= inline_size) {
            std::memcpy(inline_.data(), s.data(), s.size());
            size_ = s.size();
        } else {
            heap_.assign(s);
            size_ = heap_.size();
        }
    }

    /// The text, valid while this object is unchanged.
    std::string_view view() const noexcept {
        return size_ <= inline_size ? std::string_view(inline_.data(), size_)
                                    : std::string_view(heap_);
    }

  private:
    std::array<char, inline_size> inline_{};
    std::size_t size_ = 0;
    std::string heap_;
};

}  // namespace stytch::detail
