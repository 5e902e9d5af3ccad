// Sans-io response decoding with Boost.JSON.
//
// The body is parsed into a DOM held by a monotonic resource (a stack buffer first, the heap
// beyond it), then the DOM is walked along the field tables of codec/described_types.hpp.
// Everything uses error_code overloads and non-throwing accessors: only std::bad_alloc can
// escape.

#include "codec/response_decoder.hpp"

#include <boost/describe/members.hpp>
#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <boost/mp11/algorithm.hpp>

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

// Enough for a typical organization DOM; larger answers spill to the heap.
constexpr std::size_t dom_buffer_size = 8192;

template <class T>
struct is_optional : std::false_type {};
template <class T>
struct is_optional<std::optional<T>> : std::true_type {};

template <class T>
constexpr bool is_described = boost::describe::has_describe_members<T>::value;

// A body parsed into a DOM held by a monotonic resource over a stack buffer.
class parsed_body {
  public:
    explicit parsed_body(std::string_view body) {
        json::error_code ec;
        dom_ = json::parse(body, ec, &mr_);
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

// The member `key` of `obj`, or null when it is absent or JSON null.
const json::value* find_present(const json::object& obj, std::string_view key) noexcept {
    const auto it = obj.find(key);
    if (it == obj.end() || it->value().is_null()) {
        return nullptr;
    }
    return &it->value();
}

// decode(v, out): `v` is a present (non-null) JSON value; one overload per C++ type.

error_code decode(const json::value& v, std::string& out) {
    const auto* s = v.if_string();
    if (s == nullptr) {
        return error::unexpected_type;
    }
    out.assign(s->data(), s->size());
    return {};
}

error_code decode(const json::value& v, json::object& out) {
    const auto* o = v.if_object();
    if (o == nullptr) {
        return error::unexpected_type;
    }
    // A copy in the default resource: the DOM's resource dies with this call.
    out = json::object(*o, json::storage_ptr());
    return {};
}

template <class T>
error_code decode(const json::value& v, T& out) requires is_described<T>;

template <class T>
error_code decode(const json::value& v, std::vector<T>& out) {
    const auto* a = v.if_array();
    if (a == nullptr) {
        return error::unexpected_type;
    }
    out.clear();
    out.resize(a->size());
    for (std::size_t i = 0; i < a->size(); ++i) {
        // Elements must be present too: a null inside an array is a wrong type.
        if (const auto ec = decode((*a)[i], out[i])) {
            return ec;
        }
    }
    return {};
}

template <class T>
error_code decode(const json::value& v, T& out) requires is_described<T> {
    const auto* obj = v.if_object();
    if (obj == nullptr) {
        return error::unexpected_type;
    }
    error_code result;
    boost::mp11::mp_for_each<boost::describe::describe_members<T, boost::describe::mod_public>>(
        [&](auto d) {
            if (result) {
                return;
            }
            auto& member = out.*d.pointer;
            using member_type = std::remove_reference_t<decltype(member)>;
            const json::value* field = find_present(*obj, d.name);
            if constexpr (is_optional<member_type>::value) {
                if (field == nullptr) {
                    member.reset();
                } else {
                    result = decode(*field, member.emplace());
                }
            } else {
                result =
                    field == nullptr ? error_code(error::missing_field) : decode(*field, member);
            }
        });
    return result;
}

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
                                     b2b::delete_external_id_response& out) {
    const parsed_body parsed(body);
    const json::object* obj = parsed.object();
    if (obj == nullptr) {
        return error::malformed_json;
    }

    const json::value* request_id = find_present(*obj, "request_id");
    const json::value* organization = find_present(*obj, "organization");
    if (request_id == nullptr || organization == nullptr) {
        return error::missing_field;
    }
    if (const auto ec = decode(*request_id, out.request_id)) {
        return ec;
    }

    out.status_code = http_status;
    if (const json::value* status = find_present(*obj, "status_code")) {
        constexpr auto int_min = std::numeric_limits<int>::min();
        constexpr auto int_max = std::numeric_limits<int>::max();
        if (const auto* i = status->if_int64(); i != nullptr && *i >= int_min && *i <= int_max) {
            out.status_code = static_cast<int>(*i);
        } else if (const auto* u = status->if_uint64(); u != nullptr && *u <= unsigned(int_max)) {
            out.status_code = static_cast<int>(*u);
        } else {
            return error::unexpected_type;
        }
    }

    return decode(*organization, out.organization);
}

error_code decode_api_error(int http_status, std::string_view body, api_error& out) {
    out = api_error{};
    out.status_code = http_status;

    const parsed_body parsed(body);
    if (const json::object* obj = parsed.object()) {
        // Stytch's shape first, then the OAuth2 names.
        assign_first_string(*obj, {"request_id"}, out.request_id);
        assign_first_string(*obj, {"error_type", "error"}, out.error_type);
        assign_first_string(*obj, {"error_message", "error_description"}, out.error_message);
        assign_first_string(*obj, {"error_url", "error_uri"}, out.error_url);
        if (const auto it = obj->find("error_details"); it != obj->end()) {
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
