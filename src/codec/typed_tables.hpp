#pragma once

// The field tables the typed decoder walks: one table per record type of a success answer,
// generated from the Boost.Describe member lists of codec/described_types.hpp (in
// typed_tables.cpp). Each field says what its member holds and how to reach it, through plain
// function pointers, so that the parser handler needs no template per record type.

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace stytch::detail::json_decode {

/// What a member holds, as the decoder sees it.
enum class slot : std::uint8_t {
    string,        ///< std::string
    string_array,  ///< std::vector<std::string>
    record,        ///< a described struct
    record_array,  ///< std::vector<described struct>
    json_object,   ///< boost::json::object (free-form, built as a DOM)
    status,        ///< int (the response's status_code)
};

struct record_desc;

/// One member of a record.
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

/// One record type: its fields in declaration order.
struct record_desc {
    const field_desc* fields;
    std::uint32_t count;
    std::uint64_t required;                // one bit per required field
    void* (*append)(void* vec);            // std::vector<T>* -> a new element T*
    std::size_t (*size)(const void* vec);  // std::vector<T>* -> its size
};

/// The table of `b2b::delete_external_id_response`, the root of a success answer; the tables
/// of its nested records hang from its fields. Built once, on first use.
const record_desc& response_table();

}  // namespace stytch::detail::json_decode
