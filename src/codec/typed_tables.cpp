// The field tables of typed_tables.hpp, generated at compile time from the Describe member
// lists: a member's C++ type decides its slot and whether it is optional (`std::optional`, and
// the status code, which defaults to the HTTP status).

#include "codec/typed_tables.hpp"

#include <boost/describe/members.hpp>
#include <boost/json/object.hpp>

#include <array>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "codec/described_types.hpp"

namespace stytch::detail::json_decode {
namespace {

namespace json = boost::json;

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

}  // namespace

const record_desc& response_table() {
    return record_table<b2b::delete_external_id_response>();
}

}  // namespace stytch::detail::json_decode
