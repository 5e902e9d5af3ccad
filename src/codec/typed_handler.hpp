#pragma once

// The handler of the typed decode's `boost::json::basic_parser`: a state machine over the field
// tables that stores each value straight into its member. Values the tables do not describe are
// either built as a DOM (a free-form member, in a `value_stack`) or skipped; both count their
// depth against `max_depth`. The parser's callbacks, which route each event to the DOM, the
// skip or the typed frames, are defined here so that the parser inlines them; the typed steps
// are in typed_handler.cpp and the failure paths in typed_failure_path.cpp.

#include <boost/json/object.hpp>
#include <boost/json/string_view.hpp>
#include <boost/json/value_stack.hpp>
#include <boost/system/error_code.hpp>

#include <array>
#include <climits>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <stytch/b2b/delete_external_id.hpp>
#include <stytch/error.hpp>

#include "codec/typed_frame.hpp"
#include "codec/typed_tables.hpp"

namespace stytch::detail::json_decode {

namespace json = boost::json;

class typed_handler {
  public:
    static constexpr std::size_t max_object_size = json::object::max_size();
    static constexpr std::size_t max_array_size = json::array::max_size();
    static constexpr std::size_t max_key_size = json::string::max_size();
    static constexpr std::size_t max_string_size = json::string::max_size();

    typed_handler(b2b::delete_external_id_response& out, int http_status, std::size_t max_depth)
        : out_(out),
          max_depth_(max_depth),
          dom_(json::storage_ptr(), dom_buffer_, sizeof dom_buffer_) {
        out_.status_code = http_status;
    }

    /// The outcome once the parser accepted the whole body.
    boost::system::error_code result() const noexcept {
        if (root_malformed_) {
            return error::malformed_json;
        }
        if (non_finite_) {
            return error::non_finite_number;
        }
        // Never a stytch-category code of value 0: success is the empty error_code.
        return result_ == error{} ? boost::system::error_code{}
                                  : boost::system::error_code(result_);
    }

    /// Where the failure of result() lies, e.g. `organization.custom_roles[2].role_id`; only
    /// meaningful when result() is `missing_field` or `unexpected_type`.
    std::string failure_location() const;

    bool on_document_begin(json::error_code&) { return true; }
    bool on_document_end(json::error_code&) { return true; }

    bool on_object_begin(json::error_code& ec) { return begin_container(true, ec); }
    bool on_object_end(std::size_t n, json::error_code&) {
        end_container(true, n);
        return true;
    }
    bool on_array_begin(json::error_code& ec) { return begin_container(false, ec); }
    bool on_array_end(std::size_t n, json::error_code&) {
        end_container(false, n);
        return true;
    }

    bool on_key_part(json::string_view s, std::size_t, json::error_code&);
    bool on_key(json::string_view s, std::size_t, json::error_code&);

    bool on_string_part(json::string_view s, std::size_t, json::error_code&);
    bool on_string(json::string_view s, std::size_t, json::error_code&) {
        if (dom_depth_ != 0) {
            dom_.push_string(s);
        } else if (skip_depth_ == 0) {
            if (!in_string_) {
                str_ = begin_string();
            }
            if (str_ != nullptr) {
                str_->append(s.data(), s.size());
            }
            in_string_ = false;
            str_ = nullptr;
        }
        return true;
    }

    bool on_number_part(json::string_view, json::error_code&) { return true; }
    bool on_int64(std::int64_t i, json::string_view, json::error_code&) {
        if (dom_depth_ != 0) {
            dom_.push_int64(i);
        } else if (skip_depth_ == 0) {
            number(i >= INT_MIN && i <= INT_MAX, static_cast<int>(i));
        }
        return true;
    }
    bool on_uint64(std::uint64_t u, json::string_view, json::error_code&) {
        if (dom_depth_ != 0) {
            dom_.push_uint64(u);
        } else if (skip_depth_ == 0) {
            number(u <= unsigned(INT_MAX), static_cast<int>(u));
        }
        return true;
    }
    bool on_double(double d, json::string_view, json::error_code&) {
        if (!std::isfinite(d)) {
            non_finite_ = true;
        }
        if (dom_depth_ != 0) {
            dom_.push_double(d);
        } else if (skip_depth_ == 0) {
            number(false, 0);
        }
        return true;
    }
    bool on_bool(bool b, json::error_code&) {
        if (dom_depth_ != 0) {
            dom_.push_bool(b);
        } else if (skip_depth_ == 0) {
            other_scalar();
        }
        return true;
    }
    bool on_null(json::error_code&) {
        if (dom_depth_ != 0) {
            dom_.push_null();
        } else if (skip_depth_ == 0) {
            null();
        }
        return true;
    }
    bool on_comment_part(json::string_view, json::error_code&) { return true; }
    bool on_comment(json::string_view, json::error_code&) { return true; }

  private:
    // The current field of the innermost record, or null (unknown field, or not a record).
    const field_desc* current_field() const noexcept {
        const frame& f = stack_[depth_ - 1];
        return f.field < 0 ? nullptr : &f.desc->fields[f.field];
    }

    // The value of the innermost record's current field is complete.
    void value_done() noexcept { stack_[depth_ - 1].field = -1; }

    void mark_present(frame& f) noexcept { f.present |= std::uint64_t{1} << f.field; }

    // False (and `ec` set) when a value the tables do not describe nests too deep.
    bool begin_container(bool is_object, json::error_code& ec) {
        std::size_t* untyped = dom_depth_ != 0    ? &dom_depth_
                               : skip_depth_ != 0 ? &skip_depth_
                                                  : nullptr;
        if (untyped != nullptr) {
            if (++*untyped > max_depth_) {
                ec = json::error::too_deep;
                return false;
            }
            return true;
        }
        begin_typed_container(is_object);
        return true;
    }

    // A boolean.
    void other_scalar() noexcept {
        if (depth_ == 0) {
            root_malformed_ = true;
            return;
        }
        frame& f = stack_[depth_ - 1];
        if (f.kind != frame::record) {
            fail(f, error::unexpected_type);
            return;
        }
        if (current_field() != nullptr) {
            mark_present(f);
            fail(f, error::unexpected_type);
            value_done();
        }
    }

    void null() noexcept {
        if (depth_ == 0) {
            root_malformed_ = true;
            return;
        }
        frame& f = stack_[depth_ - 1];
        if (f.kind != frame::record) {
            // A null inside an array is a wrong type.
            fail(f, error::unexpected_type);
            return;
        }
        const field_desc* fd = current_field();
        if (fd == nullptr) {
            return;
        }
        // Null is absence: optional members are reset, required ones are missing.
        f.present &= ~(std::uint64_t{1} << f.field);
        if (fd->optional) {
            fd->reset(f.target);
        } else {
            fail(f, error::missing_field);
        }
        value_done();
    }

    // typed_handler.cpp: the typed steps.
    static constexpr std::size_t max_scratch_strings = 256;
    static std::vector<std::string>& string_scratch() noexcept;
    void collect_strings(void* target);
    void select_field(std::string_view key) noexcept;
    void fail(frame& f, error e, const failure_path* inner = nullptr) noexcept;
    void push(frame::kind_t kind, const record_desc* desc, void* target) noexcept;
    void begin_typed_container(bool is_object);
    void end_container(bool is_object, std::size_t n);
    error finish_record(frame& f, bool top_level) noexcept;
    std::string* begin_string();
    void fail_field(frame& f, const field_desc* fd) noexcept;
    void number(bool fits, int value) noexcept;

    // typed_failure_path.cpp.
    [[gnu::cold]] void record_path(const frame& f, const field_desc* field,
                                   const failure_path* inner) noexcept;

    b2b::delete_external_id_response& out_;
    const std::size_t max_depth_;  // of a value the tables do not describe (at least 1)
    std::array<frame, max_typed_depth> stack_;
    std::array<failure_path, max_typed_depth> paths_;  // per frame, written only on failure
    std::size_t depth_ = 0;
    std::size_t skip_depth_ = 0;  // > 0 while skipping a value nobody stores
    std::size_t dom_depth_ = 0;   // > 0 while building a free-form object
    std::optional<json::object>* dom_target_ = nullptr;
    std::string* str_ = nullptr;  // the target of a string delivered in parts
    bool in_string_ = false;
    bool root_malformed_ = false;  // the body is not an object
    bool non_finite_ = false;      // a number parsed as infinity
    error result_{};
    std::string key_;  // a key delivered in parts
    unsigned char dom_buffer_[4096];
    json::value_stack dom_;
};

}  // namespace stytch::detail::json_decode
