#include "engine/answer_owner.hpp"

#include "codec/request_encoder.hpp"

namespace stytch::detail {

answer_owner owner_of(const b2b::organization& org, std::string_view requested) noexcept {
    if (is_path_segment_of(requested, org.organization_id) ||
        is_path_segment_of(requested, org.organization_slug)) {
        return answer_owner::asked_for;
    }
    // Stytch's organization ids (unreserved bytes only: the segment spells them as they are).
    if (requested.starts_with("organization-test-") ||
        requested.starts_with("organization-live-")) {
        return answer_owner::another;
    }
    const auto& external = org.organization_external_id;
    if (external && !external->empty()) {
        return is_path_segment_of(requested, *external) ? answer_owner::asked_for
                                                        : answer_owner::another;
    }
    return answer_owner::unchecked;
}

}  // namespace stytch::detail
