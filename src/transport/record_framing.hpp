#pragma once

#include <cstddef>

namespace stytch::detail {

/// Where the ciphertext OpenSSL has taken in stands in the TLS record framing (5-byte header
/// with a 2-byte length, then the record). OpenSSL does not say whether it holds part of a
/// record; this does: between records, nothing of the peer's waits inside OpenSSL.
class record_framing {
  public:
    /// Accounts for `n` more bytes handed to OpenSSL.
    void consume(const unsigned char* p, std::size_t n) noexcept {
        while (n != 0) {
            if (body_left_ == 0) {
                header_[header_got_++] = *p++;
                --n;
                if (header_got_ == sizeof header_) {
                    body_left_ = std::size_t{header_[3]} << 8 | header_[4];
                    header_got_ = 0;
                }
                continue;
            }
            const std::size_t k = n < body_left_ ? n : body_left_;
            body_left_ -= k;
            p += k;
            n -= k;
        }
    }

    /// True when OpenSSL has taken in whole records only.
    bool at_boundary() const noexcept { return header_got_ == 0 && body_left_ == 0; }

  private:
    unsigned char header_[5] = {};
    std::size_t header_got_ = 0;
    std::size_t body_left_ = 0;
};

}  // namespace stytch::detail
