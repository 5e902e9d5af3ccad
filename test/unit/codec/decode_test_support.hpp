#pragma once

// Helpers shared by the tests of the typed decode (decode_delete_external_id): the sample
// organization built by hand, its field lists, and a decode that keeps the failure path.

#include <boost/json/value.hpp>
#include <boost/system/error_code.hpp>

#include <string>
#include <string_view>
#include <vector>

#include <stytch/b2b/organizations.hpp>

#include "support/organization_fields.hpp"

namespace stytch::test {

/// The organization of data/organization_full.json, built by hand.
b2b::organization expected_full_organization();

/// A value of a different JSON kind than `v`.
boost::json::value wrong_type_for(const boost::json::value& v);

/// The outcome of a typed decode.
struct decoded {
    boost::system::error_code ec;
    b2b::delete_external_id_response response;
    std::string path;  // where a missing_field or unexpected_type lies
};

/// decode_delete_external_id with the default depth limit, keeping the failure path.
decoded decode(std::string_view body, int http_status = 200);

/// The same over the serialized `dom`.
decoded decode(const boost::json::value& dom, int http_status = 200);

}  // namespace stytch::test
