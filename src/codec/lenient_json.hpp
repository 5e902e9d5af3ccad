#pragma once

// Lenient reading of small JSON documents (error answers): the body is parsed into a DOM held
// by a monotonic resource over a stack buffer, and members are read when they have the
// expected kind and ignored otherwise.

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/object.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <cstddef>
#include <initializer_list>
#include <string>
#include <string_view>

namespace stytch::detail::json_decode {

/// Enough for a typical error answer's DOM; larger answers spill to the heap.
inline constexpr std::size_t dom_buffer_size = 4096;

/// A body parsed into a DOM held by a monotonic resource over a stack buffer.
class parsed_body {
  public:
    /// `max_depth`: of the whole document (the parser's limit).
    parsed_body(std::string_view body, std::size_t max_depth) {
        boost::json::error_code ec;
        boost::json::parse_options options;
        options.max_depth = max_depth;
        dom_ = boost::json::parse(body, ec, &mr_, options);
        if (!ec) {
            object_ = dom_.if_object();
        }
    }
    parsed_body(const parsed_body&) = delete;
    parsed_body& operator=(const parsed_body&) = delete;

    /// The body's top-level object, or null when the body is not a JSON object.
    const boost::json::object* object() const noexcept { return object_; }

  private:
    unsigned char buffer_[dom_buffer_size];
    boost::json::monotonic_resource mr_{buffer_};
    // Same resource as the parse result, so the assignment above moves instead of copying.
    boost::json::value dom_ = boost::json::value(boost::json::storage_ptr(&mr_));
    const boost::json::object* object_ = nullptr;
};

/// The member `key` of `obj` when it is a string, else null.
inline const boost::json::string* find_string(const boost::json::object& obj,
                                              std::string_view key) noexcept {
    const auto it = obj.find(key);
    return it == obj.end() ? nullptr : it->value().if_string();
}

/// Copies the first of `keys` that is a string member of `obj` into `out`; leaves `out` as it
/// is when none is.
inline void assign_first_string(const boost::json::object& obj,
                                std::initializer_list<std::string_view> keys, std::string& out) {
    for (const auto key : keys) {
        if (const auto* s = find_string(obj, key)) {
            out.assign(s->data(), s->size());
            return;
        }
    }
}

/// False when `v` holds a number beyond the range of a double (parsed as infinity), at any
/// depth. Recurses once per level: the parse bounded the depth.
bool all_finite(const boost::json::value& v) noexcept;

}  // namespace stytch::detail::json_decode
