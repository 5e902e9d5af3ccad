// JSON encoding of the value types (boost::json::value_from), along the field tables of
// codec/described_types.hpp: the API's field names, every field, absent optionals as null.
// Free-form values are copied with every non-finite double replaced by null: Boost.JSON
// would serialize them as `Infinity` or `NaN`, which are not JSON (RFC 8259 §6).

#include <boost/describe/members.hpp>
#include <boost/json/value.hpp>
#include <boost/json/value_from.hpp>
#include <boost/mp11/algorithm.hpp>

#include <cmath>
#include <optional>
#include <ostream>
#include <string>
#include <type_traits>
#include <vector>

#include <stytch/b2b/delete_external_id.hpp>
#include <stytch/b2b/organization.hpp>
#include <stytch/error.hpp>

#include "codec/described_types.hpp"

namespace stytch {
namespace {

namespace json = boost::json;

template <class T>
constexpr bool is_described = boost::describe::has_describe_members<T>::value;

// encode(x, jv): replaces `jv` (keeping its memory resource) with the JSON form of `x`.

void encode(const std::string& s, json::value& jv) {
    jv.emplace_string().assign(s);
}

void encode(int i, json::value& jv) {
    jv.emplace_int64() = i;
}

// Replaces every non-finite double inside `v` with null.
void null_non_finite(json::value& v) {
    if (auto* d = v.if_double(); d != nullptr && !std::isfinite(*d)) {
        v.emplace_null();
    } else if (auto* a = v.if_array()) {
        for (auto& e : *a) {
            null_non_finite(e);
        }
    } else if (auto* o = v.if_object()) {
        for (auto& m : *o) {
            null_non_finite(m.value());
        }
    }
}

void encode(const json::object& o, json::value& jv) {
    jv.emplace_object() = o;
    null_non_finite(jv);
}

void encode(const json::value& v, json::value& jv) {
    jv = v;
    null_non_finite(jv);
}

template <class T>
void encode(const std::optional<T>& o, json::value& jv);

template <class T>
requires is_described<T>
void encode(const T& x, json::value& jv);

template <class T>
void encode(const std::vector<T>& v, json::value& jv) {
    auto& a = jv.emplace_array();
    a.reserve(v.size());
    for (const auto& item : v) {
        encode(item, a.emplace_back(nullptr));
    }
}

template <class T>
void encode(const std::optional<T>& o, json::value& jv) {
    if (o) {
        encode(*o, jv);
    } else {
        jv.emplace_null();
    }
}

template <class T>
requires is_described<T>
void encode(const T& x, json::value& jv) {
    using members = boost::describe::describe_members<T, boost::describe::mod_public>;
    auto& o = jv.emplace_object();
    o.reserve(boost::mp11::mp_size<members>::value);
    boost::mp11::mp_for_each<members>(
        [&](auto d) { encode(x.*d.pointer, o.emplace(d.name, nullptr).first->value()); });
}

}  // namespace

void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv, const api_error& e) {
    encode(e, jv);
}

namespace b2b {

void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv, const organization& o) {
    encode(o, jv);
}

void tag_invoke(const boost::json::value_from_tag&, boost::json::value& jv,
                const delete_external_id_response& r) {
    encode(r, jv);
}

std::ostream& operator<<(std::ostream& os, const organization& o) {
    return os << boost::json::value_from(o);
}

std::ostream& operator<<(std::ostream& os, const delete_external_id_response& r) {
    return os << boost::json::value_from(r);
}

}  // namespace b2b
}  // namespace stytch
