// The typed steps of typed_handler: keys, containers, strings and numbers against the field
// tables. Error precedence follows the tables (see response_decoder.cpp): within a record the
// lowest failing field wins, within an array the first failing element.

#include "codec/typed_handler.hpp"

#include <boost/assert.hpp>

#include <algorithm>
#include <bit>
#include <iterator>
#include <vector>

namespace stytch::detail::json_decode {

// The elements of the string array being decoded, moved into the record at its end: one
// allocation of the exact size instead of the vector's growth (1, 2, 4, ...). Only one string
// array is open at a time (its elements are strings), and a decode runs to its end on one
// thread, so one per thread serves every decode.
std::vector<std::string>& typed_handler::string_scratch() noexcept {
    thread_local std::vector<std::string> scratch;
    return scratch;
}

void typed_handler::collect_strings(void* target) {
    auto& scratch = string_scratch();
    auto& out = *static_cast<std::vector<std::string>*>(target);
    out.reserve(out.size() + scratch.size());
    std::move(scratch.begin(), scratch.end(), std::back_inserter(out));
    scratch.clear();
    // A huge array is rare: its room is not kept for the thread's lifetime.
    if (scratch.capacity() > max_scratch_strings) {
        std::vector<std::string>().swap(scratch);
    }
}

bool typed_handler::on_key_part(json::string_view s, std::size_t, json::error_code&) {
    if (dom_depth_ != 0) {
        dom_.push_chars(s);
    } else if (skip_depth_ == 0) {
        key_.append(s.data(), s.size());
    }
    return true;
}

bool typed_handler::on_key(json::string_view s, std::size_t, json::error_code&) {
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

bool typed_handler::on_string_part(json::string_view s, std::size_t, json::error_code&) {
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

void typed_handler::select_field(std::string_view key) noexcept {
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

void typed_handler::push(frame::kind_t kind, const record_desc* desc, void* target) noexcept {
    BOOST_ASSERT(depth_ < stack_.size());
    frame& f = stack_[depth_++];
    f = frame{};
    f.kind = kind;
    f.desc = desc;
    f.target = target;
}

void typed_handler::begin_typed_container(bool is_object) {
    if (depth_ == 0) {
        if (is_object) {
            push(frame::record, &response_table(), &out_);
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
                string_scratch().clear();  // left over by a decode that stopped early
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

void typed_handler::end_container(bool is_object, std::size_t n) {
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
    if (f.kind == frame::string_array) {
        collect_strings(f.target);
    }
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
error typed_handler::finish_record(frame& f, bool top_level) noexcept {
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
std::string* typed_handler::begin_string() {
    if (depth_ == 0) {
        root_malformed_ = true;
        return nullptr;
    }
    frame& f = stack_[depth_ - 1];
    switch (f.kind) {
        case frame::string_array:
            return &string_scratch().emplace_back();
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

// A number: `fits` when it is an integer that fits an int.
void typed_handler::number(bool fits, int value) noexcept {
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

}  // namespace stytch::detail::json_decode
