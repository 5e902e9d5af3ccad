#pragma once

// Whose answer is it: a success answer carries the organization it is for, which must be the
// one the call named. Over HTTP/1.1 an unsolicited answer that arrives after the next request
// was written cannot be told from that request's answer by the framing; its organization
// tells. Sans-io, tested in test/unit/test_answer_owner.cpp.

#include <string_view>

#include <stytch/b2b/organization.hpp>

namespace stytch::detail {

enum class answer_owner : unsigned char {
    asked_for,  ///< the answer's organization_id or organization_slug is the requested value
    /// Neither, and the value cannot be an organization id: it may be the external id the
    /// answer no longer carries (deleted), so nothing can be checked.
    unchecked,
    another,  ///< the answer is for another organization
};

/// Judges a success answer's organization against `requested`, the call's organization id,
/// slug or external id as its request path carries it (percent-encoded). A value of the form
/// of an organization id (`organization-test-...`, `organization-live-...`) must be the
/// answer's organization_id (or, should a slug look like one, its organization_slug); any
/// other value its organization_slug or its external id, which the answer only carries if
/// the server did not delete it.
answer_owner owner_of(const b2b::organization& org, std::string_view requested) noexcept;

}  // namespace stytch::detail
