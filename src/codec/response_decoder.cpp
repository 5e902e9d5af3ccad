// Sans-io response decoding with Boost.JSON.
//
// Success answers are decoded in one pass, straight into the records: a Boost.JSON
// `basic_parser` drives a small state machine whose field tables are generated from the
// Boost.Describe member lists of codec/described_types.hpp. No DOM is built except for the
// free-form members (`trusted_metadata`, `allowed_oauth_tenants`), which are built with a
// `value_stack` in the default resource; unknown members are skipped without being stored.
//
// Error precedence is the one of a DOM walk along the field tables: within a record the first
// field in table order that fails decides (absent/null required field: missing_field, wrong
// JSON kind: unexpected_type), within an array the first failing element; at the top level a
// missing `request_id` or `organization` wins over those; a number beyond the range of a
// double anywhere (1e400 parses as infinity) is non_finite_number, over all of the above; a
// body that is not one valid JSON object is malformed_json whatever else is wrong. The parser
// runs to the end of the body even after an error, so that a malformed body is always reported
// as such, except past the depth limit: a value the tables do not describe (free-form or
// skipped) nesting deeper than `max_json_depth` stops the parse at once with json_too_deep, so
// that the parser's recursion stays bounded. The parser's own limit (which counts the whole
// document) sits above the deepest typed path plus `max_json_depth`, so it never decides.
//
// Error answers (rare, small) are parsed into a DOM held by a monotonic resource over a stack
// buffer and read leniently.
//
// Everything uses error_code overloads and non-throwing accessors: only std::bad_alloc can
// escape.

#include "codec/response_decoder.hpp"

#include <boost/describe/members.hpp>
#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <boost/json/value_stack.hpp>

#include <algorithm>
#include <array>
#include <bit>
#include <climits>
#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <limits>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "codec/described_types.hpp"

namespace stytch::detail {
namespace {

namespace json = boost::json;
using boost::system::error_code;

// ---- field tables, generated from the Describe member lists --------------------------------

// What a member holds, as the decoder sees it.
enum class slot : std::uint8_t {
    string,        // std::string
    string_array,  // std::vector<std::string>
    record,        // a described struct
    record_array,  // std::vector<described struct>
    json_object,   // boost::json::object (free-form, built as a DOM)
    status,        // int (the response's status_code)
};

struct record_desc;

struct field_desc {
    std::string_view name;
    slot kind;
    bool optional;            // may be absent or null
    const record_desc* sub;   // record, record_array: the element's table
    void* (*begin)(void* r);  // prepares the member of record `r` for a present value and
                              // returns the target: std::string*, std::vector<...>* (cleared),
                              // T* (emplaced), std::optional<json::object>*, int*
    void (*reset)(void* r);   // an optional member: makes it absent
};

struct record_desc {
    const field_desc* fields;
    std::uint32_t count;
    std::uint64_t required;                // one bit per required field
    void* (*append)(void* vec);            // std::vector<T>* -> a new element T*
    std::size_t (*size)(const void* vec);  // std::vector<T>* -> its size
};

template <class T>
constexpr bool is_described = boost::describe::has_describe_members<T>::value;

template <class T>
struct member_traits;

template <class T>
const record_desc& record_table();

template <>
struct member_traits<std::string> {
    static constexpr slot kind = slot::string;
    static constexpr bool optional = false;
    static const record_desc* sub() { return nullptr; }
    static void* begin(std::string& m) {
        m.clear();
        return &m;
    }
};

template <>
struct member_traits<int> {
    static constexpr slot kind = slot::status;
    static constexpr bool optional = true;  // defaults to the HTTP status
    static const record_desc* sub() { return nullptr; }
    static void* begin(int& m) { return &m; }
};

template <>
struct member_traits<json::object> {
    static constexpr slot kind = slot::json_object;
    static constexpr bool optional = false;
    static const record_desc* sub() { return nullptr; }
};

template <class T>
requires is_described<T>
struct member_traits<T> {
    static constexpr slot kind = slot::record;
    static constexpr bool optional = false;
    static const record_desc* sub() { return &record_table<T>(); }
    static void* begin(T& m) { return &m; }
};

template <class T>
struct member_traits<std::vector<T>> {
    static_assert(std::is_same_v<T, std::string> || is_described<T>);
    static constexpr slot kind = is_described<T> ? slot::record_array : slot::string_array;
    static constexpr bool optional = false;
    static const record_desc* sub() {
        if constexpr (is_described<T>) {
            return &record_table<T>();
        } else {
            return nullptr;
        }
    }
    static void* begin(std::vector<T>& m) {
        m.clear();
        return &m;
    }
};

template <class T>
struct member_traits<std::optional<T>> {
    static constexpr slot kind = member_traits<T>::kind;
    static constexpr bool optional = true;
    static const record_desc* sub() { return member_traits<T>::sub(); }
    static void* begin(std::optional<T>& m) {
        if constexpr (std::is_same_v<T, json::object>) {
            return &m;  // emplaced once the whole object is built
        } else {
            return &m.emplace();
        }
    }
};

template <class T, class D>
void* begin_member(void* r) {
    auto& m = static_cast<T*>(r)->*D::pointer;
    return member_traits<std::remove_reference_t<decltype(m)>>::begin(m);
}

template <class T, class D>
void reset_member(void* r) {
    auto& m = static_cast<T*>(r)->*D::pointer;
    using M = std::remove_reference_t<decltype(m)>;
    if constexpr (member_traits<M>::kind != slot::status && member_traits<M>::optional) {
        m.reset();
    }
}

template <class T, class D>
field_desc make_field() {
    using M = std::remove_cvref_t<decltype(std::declval<T&>().*D::pointer)>;
    return {D::name,
            member_traits<M>::kind,
            member_traits<M>::optional,
            member_traits<M>::sub(),
            &begin_member<T, D>,
            &reset_member<T, D>};
}

template <class T, template <class...> class L, class... D>
std::array<field_desc, sizeof...(D)> make_fields(L<D...>) {
    static_assert(sizeof...(D) <= 64, "one bit per field");
    return {make_field<T, D>()...};
}

template <class T>
void* append_element(void* vec) {
    return &static_cast<std::vector<T>*>(vec)->emplace_back();
}

template <class T>
std::size_t vector_size(const void* vec) {
    return static_cast<const std::vector<T>*>(vec)->size();
}

template <class T>
const record_desc& record_table() {
    static const auto fields =
        make_fields<T>(boost::describe::describe_members<T, boost::describe::mod_public>());
    static const record_desc desc = [] {
        record_desc d{fields.data(), static_cast<std::uint32_t>(fields.size()), 0,
                      &append_element<T>, &vector_size<T>};
        for (std::uint32_t i = 0; i < d.count; ++i) {
            if (!fields[i].optional) {
                d.required |= std::uint64_t{1} << i;
            }
        }
        return d;
    }();
    return desc;
}

// ---- the parser handler: a state machine over the tables -----------------------------------

constexpr int no_error = INT_MAX;

/// Room for the typed frames: the deepest typed path is 7 containers.
constexpr std::size_t max_typed_depth = 8;

// One step of the path to a failing value: a member, or an element of an array.
struct path_step {
    const field_desc* field;  // the member, or null for an array element
    std::size_t index;        // the element's index
};

// Where a frame's recorded failure lies, relative to the frame. Written only on failure.
struct failure_path {
    std::array<path_step, max_typed_depth> steps;
    std::size_t size;
};

// A typed container being filled.
struct frame {
    enum kind_t : std::uint8_t { record, string_array, record_array } kind;
    const record_desc* desc = nullptr;  // record: its table; record_array: the element's
    void* target = nullptr;             // record: T*; arrays: std::vector<...>*
    std::uint64_t present = 0;          // record: fields seen with a non-null value
    int field = -1;                     // record: the field whose value comes next, -1: unknown
    std::uint32_t hint = 0;             // record: where the next key is looked up first
    int err_index = no_error;           // record: lowest failing field; arrays: 0 once failed
    error err{};
};

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
    error_code result() const noexcept {
        if (root_malformed_) {
            return error::malformed_json;
        }
        if (non_finite_) {
            return error::non_finite_number;
        }
        // Never a stytch-category code of value 0: success is the empty error_code.
        return result_ == error{} ? error_code{} : error_code(result_);
    }

    /// Where the failure of result() lies, e.g. `organization.custom_roles[2].role_id`; only
    /// meaningful when result() is `missing_field` or `unexpected_type`.
    std::string failure_location() const {
        std::string out;
        const failure_path& p = paths_[0];
        for (std::size_t i = 0; i < p.size; ++i) {
            if (p.steps[i].field != nullptr) {
                if (!out.empty()) {
                    out += '.';
                }
                out += p.steps[i].field->name;
            } else {
                out += '[';
                out += std::to_string(p.steps[i].index);
                out += ']';
            }
        }
        return out;
    }

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

    bool on_key_part(json::string_view s, std::size_t, json::error_code&) {
        if (dom_depth_ != 0) {
            dom_.push_chars(s);
        } else if (skip_depth_ == 0) {
            key_.append(s.data(), s.size());
        }
        return true;
    }
    bool on_key(json::string_view s, std::size_t, json::error_code&) {
        if (dom_depth_ != 0) {
            dom_.push_key(s);
        } else if (skip_depth_ == 0) {
            if (key_.empty()) {
                select_field(std::string_view(s.data(), s.size()));
            } else {
                key_.append(s.data(), s.size());
                select_field(key_);
                key_.clear();
            }
        }
        return true;
    }

    bool on_string_part(json::string_view s, std::size_t, json::error_code&) {
        if (dom_depth_ != 0) {
            dom_.push_chars(s);
        } else if (skip_depth_ == 0) {
            if (!in_string_) {
                in_string_ = true;
                str_ = begin_string();
            }
            if (str_ != nullptr) {
                str_->append(s.data(), s.size());
            }
        }
        return true;
    }
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

    void select_field(std::string_view key) noexcept {
        frame& f = stack_[depth_ - 1];
        const std::uint32_t count = f.desc->count;
        const field_desc* fields = f.desc->fields;
        // Answers list members in table order: try where the previous one left off first.
        for (std::uint32_t n = 0, i = f.hint; n < count; ++n, i = i + 1 == count ? 0 : i + 1) {
            if (fields[i].name == key) {
                f.field = static_cast<int>(i);
                f.hint = i + 1 == count ? 0 : i + 1;
                return;
            }
        }
        f.field = -1;
    }

    // A failure of the value of the current field (record) or element (array); `inner`: the
    // path within that value when a nested record or array failed.
    void fail(frame& f, error e, const failure_path* inner = nullptr) noexcept {
        const int index = f.kind == frame::record ? f.field : 0;
        if (index < f.err_index) {
            f.err_index = index;
            f.err = e;
            record_path(f, f.kind == frame::record ? &f.desc->fields[f.field] : nullptr, inner);
        }
    }

    // Remembers where the failure just recorded in `f` lies: at `field` (null: at the current
    // element of the array `f`), then along `inner`. Runs only on failure.
    [[gnu::cold]] void record_path(const frame& f, const field_desc* field,
                                   const failure_path* inner) noexcept {
        failure_path& p = paths_[static_cast<std::size_t>(&f - stack_.data())];
        std::size_t index = 0;
        if (field == nullptr) {
            const std::size_t stored =
                f.kind == frame::string_array
                    ? static_cast<const std::vector<std::string>*>(f.target)->size()
                    : f.desc->size(f.target);
            // A failing record was appended before it failed; any other element never is.
            index = inner != nullptr ? stored - 1 : stored;
        }
        p.steps[0] = {field, index};
        p.size = 1;
        if (inner != nullptr) {
            BOOST_ASSERT(inner->size < p.steps.size());
            std::copy_n(inner->steps.begin(), inner->size, p.steps.begin() + 1);
            p.size += inner->size;
        }
    }

    // The value of the innermost record's current field is complete.
    void value_done() noexcept { stack_[depth_ - 1].field = -1; }

    void mark_present(frame& f) noexcept { f.present |= std::uint64_t{1} << f.field; }

    void push(frame::kind_t kind, const record_desc* desc, void* target) noexcept {
        BOOST_ASSERT(depth_ < stack_.size());
        frame& f = stack_[depth_++];
        f = frame{};
        f.kind = kind;
        f.desc = desc;
        f.target = target;
    }

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

    void begin_typed_container(bool is_object) {
        if (depth_ == 0) {
            if (is_object) {
                push(frame::record, &record_table<b2b::delete_external_id_response>(), &out_);
            } else {
                root_malformed_ = true;
                skip_depth_ = 1;
            }
            return;
        }
        frame& f = stack_[depth_ - 1];
        switch (f.kind) {
            case frame::string_array:
                fail(f, error::unexpected_type);
                skip_depth_ = 1;
                return;
            case frame::record_array:
                if (is_object) {
                    push(frame::record, f.desc, f.desc->append(f.target));
                } else {
                    fail(f, error::unexpected_type);
                    skip_depth_ = 1;
                }
                return;
            case frame::record:
                break;
        }
        const field_desc* fd = current_field();
        if (fd == nullptr) {
            skip_depth_ = 1;
            return;
        }
        mark_present(f);
        switch (fd->kind) {
            case slot::record:
                if (is_object) {
                    push(frame::record, fd->sub, fd->begin(f.target));
                    return;
                }
                break;
            case slot::string_array:
                if (!is_object) {
                    push(frame::string_array, nullptr, fd->begin(f.target));
                    return;
                }
                break;
            case slot::record_array:
                if (!is_object) {
                    push(frame::record_array, fd->sub, fd->begin(f.target));
                    return;
                }
                break;
            case slot::json_object:
                if (is_object) {
                    dom_target_ = static_cast<std::optional<json::object>*>(fd->begin(f.target));
                    dom_.reset(json::storage_ptr());
                    dom_depth_ = 1;
                    return;
                }
                break;
            default:
                break;
        }
        fail(f, error::unexpected_type);
        skip_depth_ = 1;
    }

    void end_container(bool is_object, std::size_t n) {
        if (dom_depth_ != 0) {
            if (is_object) {
                dom_.push_object(n);
            } else {
                dom_.push_array(n);
            }
            if (--dom_depth_ == 0) {
                json::value v = dom_.release();
                dom_target_->emplace(std::move(v.get_object()));
                value_done();
            }
            return;
        }
        if (skip_depth_ != 0) {
            if (--skip_depth_ == 0 && depth_ != 0) {
                value_done();
            }
            return;
        }
        frame& f = stack_[--depth_];
        error e{};
        if (f.kind == frame::record) {
            e = finish_record(f, depth_ == 0);
        } else if (f.err_index != no_error) {
            e = f.err;
        }
        if (depth_ == 0) {
            result_ = e;
            return;
        }
        frame& parent = stack_[depth_ - 1];
        if (e != error{}) {
            fail(parent, e, &paths_[depth_]);
        }
        if (parent.kind == frame::record) {
            value_done();
        }
    }

    // Resets the absent optional members and returns the record's error, if any.
    error finish_record(frame& f, bool top_level) noexcept {
        const record_desc& d = *f.desc;
        for (std::uint32_t i = 0; i < d.count; ++i) {
            if (d.fields[i].optional && (f.present & (std::uint64_t{1} << i)) == 0) {
                d.fields[i].reset(f.target);
            }
        }
        const std::uint64_t missing = d.required & ~f.present;
        if (missing != 0) {
            const int index = std::countr_zero(missing);
            // At the top level an absent request_id or organization wins over everything.
            if (top_level || index < f.err_index) {
                record_path(f, &d.fields[index], nullptr);
                return error::missing_field;
            }
        }
        return f.err_index == no_error ? error{} : f.err;
    }

    // The target of a string value, or null when it is not stored (unknown field, error).
    std::string* begin_string() {
        if (depth_ == 0) {
            root_malformed_ = true;
            return nullptr;
        }
        frame& f = stack_[depth_ - 1];
        switch (f.kind) {
            case frame::string_array:
                return &static_cast<std::vector<std::string>*>(f.target)->emplace_back();
            case frame::record_array:
                fail(f, error::unexpected_type);
                return nullptr;
            case frame::record:
                break;
        }
        const field_desc* fd = current_field();
        if (fd == nullptr) {
            return nullptr;
        }
        mark_present(f);
        f.field = -1;  // the value ends with this string
        if (fd->kind == slot::string) {
            return static_cast<std::string*>(fd->begin(f.target));
        }
        fail_field(f, fd);
        return nullptr;
    }

    // A type error on `fd`, the innermost record's field that was just cleared by value_done.
    void fail_field(frame& f, const field_desc* fd) noexcept {
        const int index = static_cast<int>(fd - f.desc->fields);
        if (index < f.err_index) {
            f.err_index = index;
            f.err = error::unexpected_type;
            record_path(f, fd, nullptr);
        }
    }

    // A number: `fits` when it is an integer that fits an int.
    void number(bool fits, int value) noexcept {
        if (depth_ == 0) {
            root_malformed_ = true;
            return;
        }
        frame& f = stack_[depth_ - 1];
        if (f.kind != frame::record) {
            fail(f, error::unexpected_type);
            return;
        }
        const field_desc* fd = current_field();
        if (fd == nullptr) {
            return;
        }
        mark_present(f);
        if (fd->kind == slot::status && fits) {
            *static_cast<int*>(fd->begin(f.target)) = value;
        } else {
            fail(f, error::unexpected_type);
        }
        value_done();
    }

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

// ---- error answers -------------------------------------------------------------------------

// Enough for a typical error answer's DOM; larger answers spill to the heap.
constexpr std::size_t dom_buffer_size = 4096;

// A body parsed into a DOM held by a monotonic resource over a stack buffer.
class parsed_body {
  public:
    // `max_depth`: of the whole document (the parser's limit).
    parsed_body(std::string_view body, std::size_t max_depth) {
        json::error_code ec;
        json::parse_options options;
        options.max_depth = max_depth;
        dom_ = json::parse(body, ec, &mr_, options);
        if (!ec) {
            object_ = dom_.if_object();
        }
    }
    parsed_body(const parsed_body&) = delete;
    parsed_body& operator=(const parsed_body&) = delete;

    /// The body's top-level object, or null when the body is not a JSON object.
    const json::object* object() const noexcept { return object_; }

  private:
    unsigned char buffer_[dom_buffer_size];
    json::monotonic_resource mr_{buffer_};
    // Same resource as the parse result, so the assignment above moves instead of copying.
    json::value dom_ = json::value(json::storage_ptr(&mr_));
    const json::object* object_ = nullptr;
};

// Lenient string read for error answers: a string member, else nothing.
const json::string* find_string(const json::object& obj, std::string_view key) noexcept {
    const auto it = obj.find(key);
    return it == obj.end() ? nullptr : it->value().if_string();
}

// Copies the first of `keys` that is a string into `out`.
void assign_first_string(const json::object& obj, std::initializer_list<std::string_view> keys,
                         std::string& out) {
    for (const auto key : keys) {
        if (const auto* s = find_string(obj, key)) {
            out.assign(s->data(), s->size());
            return;
        }
    }
}

// False when `v` holds a number beyond the range of a double (parsed as infinity). Recurses
// once per level: the parse bounded the depth.
bool all_finite(const json::value& v) noexcept {
    switch (v.kind()) {
        case json::kind::double_:
            return std::isfinite(v.get_double());
        case json::kind::array:
            for (const auto& e : v.get_array()) {
                if (!all_finite(e)) {
                    return false;
                }
            }
            return true;
        case json::kind::object:
            for (const auto& m : v.get_object()) {
                if (!all_finite(m.value())) {
                    return false;
                }
            }
            return true;
        default:
            return true;
    }
}

// a + b, or SIZE_MAX when that overflows.
std::size_t saturating_add(std::size_t a, std::size_t b) noexcept {
    return a > SIZE_MAX - b ? SIZE_MAX : a + b;
}

struct known_error_type {
    std::string_view type;
    error code;
};

constexpr known_error_type known_error_types[] = {
    {"unauthorized_credentials", error::unauthorized_credentials},
    {"too_many_requests", error::too_many_requests},
    {"internal_server_error", error::internal_server_error},
    {"organization_not_found", error::organization_not_found},
    {"session_not_found", error::session_not_found},
    {"unauthorized_action", error::unauthorized_action},
};

}  // namespace

error_code decode_delete_external_id(int http_status, std::string_view body,
                                     b2b::delete_external_id_response& out,
                                     std::size_t max_json_depth, std::string* failure_location) {
    max_json_depth = std::max<std::size_t>(max_json_depth, 1);
    json::parse_options options;
    options.max_depth = saturating_add(max_json_depth, max_typed_depth);
    json::basic_parser<typed_handler> parser(options, out, http_status, max_json_depth);
    json::error_code ec;
    const std::size_t n = parser.write_some(false, body.data(), body.size(), ec);
    if (ec == json::error::too_deep) {
        return error::json_too_deep;
    }
    if (ec || n != body.size()) {
        return error::malformed_json;
    }
    const error_code result = parser.handler().result();
    if (failure_location != nullptr &&
        (result == error::missing_field || result == error::unexpected_type)) {
        *failure_location = parser.handler().failure_location();
    }
    return result;
}

error_code decode_api_error(int http_status, std::string_view body, api_error& out,
                            std::size_t max_json_depth) {
    out = api_error{};
    out.status_code = http_status;

    // The top-level object is one level above its members.
    const parsed_body parsed(body, saturating_add(max_json_depth, 1));
    if (const json::object* obj = parsed.object()) {
        // Stytch's shape first, then the OAuth2 names.
        assign_first_string(*obj, {"request_id"}, out.request_id);
        assign_first_string(*obj, {"error_type", "error"}, out.error_type);
        assign_first_string(*obj, {"error_message", "error_description"}, out.error_message);
        assign_first_string(*obj, {"error_url", "error_uri"}, out.error_url);
        if (const auto it = obj->find("error_details");
            it != obj->end() && all_finite(it->value())) {
            out.error_details = json::value(it->value(), json::storage_ptr());
        }
    }
    return error_code_for(http_status, out.error_type);
}

error_code error_code_for(int http_status, std::string_view error_type) noexcept {
    for (const auto& known : known_error_types) {
        if (known.type == error_type) {
            return known.code;
        }
    }
    if (http_status >= 400 && http_status <= 499) {
        return error::client_error;
    }
    if (http_status >= 500 && http_status <= 599) {
        return error::server_error;
    }
    return error::unexpected_status;
}

}  // namespace stytch::detail
