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
// This file holds the two entry points. The field tables are in typed_tables.cpp, the parser
// handler in typed_handler.hpp (callbacks), typed_handler.cpp (typed steps) and
// typed_failure_path.cpp (failure paths); error answers are read by api_error_reader.cpp with
// the helpers of lenient_json.hpp.
//
// Everything uses error_code overloads and non-throwing accessors: only std::bad_alloc can
// escape.

#include "codec/response_decoder.hpp"

#include <boost/json/basic_parser_impl.hpp>

#include <algorithm>
#include <cstdint>

#include "codec/api_error_reader.hpp"
#include "codec/lenient_json.hpp"
#include "codec/typed_frame.hpp"
#include "codec/typed_handler.hpp"

namespace stytch::detail {
namespace {

namespace json = boost::json;
using boost::system::error_code;

// a + b, or SIZE_MAX when that overflows.
std::size_t saturating_add(std::size_t a, std::size_t b) noexcept {
    return a > SIZE_MAX - b ? SIZE_MAX : a + b;
}

}  // namespace

error_code decode_delete_external_id(int http_status, std::string_view body,
                                     b2b::delete_external_id_response& out,
                                     std::size_t max_json_depth, std::string* failure_location) {
    max_json_depth = std::max<std::size_t>(max_json_depth, 1);
    json::parse_options options;
    options.max_depth = saturating_add(max_json_depth, json_decode::max_typed_depth);
    json::basic_parser<json_decode::typed_handler> parser(options, out, http_status,
                                                          max_json_depth);
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
    const json_decode::parsed_body parsed(body, saturating_add(max_json_depth, 1));
    if (const json::object* obj = parsed.object()) {
        json_decode::read_api_error_members(*obj, out);
    }
    return error_code_for(http_status, out.error_type);
}

}  // namespace stytch::detail
