// A typed decode's failures: which one a frame keeps (its lowest failing field, or its first
// failing element) and the JSON path to it (`organization.custom_roles[2].role_id`). Each frame
// records where its own failure lies when it fails; the root's path is spelled out only when
// asked for. Nothing here runs on a successful decode.

#include "codec/typed_handler.hpp"

#include <boost/assert.hpp>

#include <algorithm>
#include <string>
#include <vector>

namespace stytch::detail::json_decode {

// A failure of the value of the current field (record) or element (array); `inner`: the path
// within that value when a nested record or array failed.
void typed_handler::fail(frame& f, error e, const failure_path* inner) noexcept {
    const int index = f.kind == frame::record ? f.field : 0;
    if (index < f.err_index) {
        f.err_index = index;
        f.err = e;
        record_path(f, f.kind == frame::record ? &f.desc->fields[f.field] : nullptr, inner);
    }
}

// A type error on `fd`, the innermost record's field that was just cleared by value_done.
void typed_handler::fail_field(frame& f, const field_desc* fd) noexcept {
    const int index = static_cast<int>(fd - f.desc->fields);
    if (index < f.err_index) {
        f.err_index = index;
        f.err = error::unexpected_type;
        record_path(f, fd, nullptr);
    }
}

std::string typed_handler::failure_location() const {
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

// Remembers where the failure just recorded in `f` lies: at `field` (null: at the current
// element of the array `f`), then along `inner`.
void typed_handler::record_path(const frame& f, const field_desc* field,
                                const failure_path* inner) noexcept {
    failure_path& p = paths_[static_cast<std::size_t>(&f - stack_.data())];
    std::size_t index = 0;
    if (field == nullptr) {
        // A string array's elements wait in the scratch until the array ends.
        const std::size_t stored =
            f.kind == frame::string_array ? string_scratch().size() : f.desc->size(f.target);
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

}  // namespace stytch::detail::json_decode
