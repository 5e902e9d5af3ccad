#include "h2_raw_frames.hpp"

namespace stytch::mock::detail::h2_raw {

namespace {

constexpr std::size_t max_frame_size = 16 * 1024;  // SETTINGS_MAX_FRAME_SIZE's default
constexpr std::size_t default_table_size = 4096;   // SETTINGS_HEADER_TABLE_SIZE's default
constexpr char status_200 = '\x88';                // HPACK static table entry 8
constexpr char first_dynamic_entry = '\xbe';       // indexed field 62: the newest entry
constexpr std::size_t bomb_value_size = 4000;      // the entry fits the 4,096-byte table

// RFC 7541 §5.1: `value` with a `prefix_bits`-bit prefix; `pattern` holds the bits above it.
void append_integer(std::string& out, std::uint8_t pattern, int prefix_bits, std::size_t value) {
    const std::size_t max_prefix = (std::size_t{1} << prefix_bits) - 1;
    if (value < max_prefix) {
        out += static_cast<char>(pattern | value);
        return;
    }
    out += static_cast<char>(pattern | max_prefix);
    value -= max_prefix;
    for (; value >= 0x80; value >>= 7) {
        out += static_cast<char>(0x80 | (value & 0x7f));
    }
    out += static_cast<char>(value);
}

// RFC 7541 §5.2, without Huffman coding.
void append_string(std::string& out, std::string_view s) {
    append_integer(out, 0x00, 7, s.size());
    out += s;
}

}  // namespace

std::string frame(std::uint8_t type, std::uint8_t flags, std::int32_t stream_id,
                  std::string_view payload) {
    const auto length = static_cast<std::uint32_t>(payload.size());
    const auto id = static_cast<std::uint32_t>(stream_id) & 0x7fffffffu;
    std::string out;
    out.reserve(9 + payload.size());
    out += static_cast<char>(length >> 16);
    out += static_cast<char>(length >> 8);
    out += static_cast<char>(length);
    out += static_cast<char>(type);
    out += static_cast<char>(flags);
    out += static_cast<char>(id >> 24);
    out += static_cast<char>(id >> 16);
    out += static_cast<char>(id >> 8);
    out += static_cast<char>(id);
    out += payload;
    return out;
}

void append_literal_field(std::string& block, std::string_view name, std::string_view value) {
    block += '\x00';  // literal without indexing, literal name
    append_string(block, name);
    append_string(block, value);
}

std::string hpack_bomb(std::int32_t stream_id, std::size_t references) {
    std::string block;
    append_integer(block, 0x20, 5, default_table_size);  // dynamic table size update
    block += status_200;
    block += '\x40';  // literal with incremental indexing, literal name
    append_string(block, "x-bomb");
    append_string(block, std::string(bomb_value_size, 'b'));
    block.append(references, first_dynamic_entry);

    std::string out;
    for (std::size_t offset = 0; offset < block.size(); offset += max_frame_size) {
        const std::string_view part = std::string_view(block).substr(offset, max_frame_size);
        const bool first = offset == 0;
        const bool last = offset + part.size() == block.size();
        out +=
            frame(first ? headers : continuation,
                  (first ? flag_end_stream : 0) | (last ? flag_end_headers : 0), stream_id, part);
    }
    return out;
}

std::string unfinished_headers(std::int32_t stream_id) {
    return frame(headers, 0, stream_id, std::string_view(&status_200, 1));
}

std::string continuation_frame(std::int32_t stream_id) {
    std::string block;
    append_literal_field(block, "x-continuation", "more");
    return frame(continuation, 0, stream_id, block);
}

}  // namespace stytch::mock::detail::h2_raw
