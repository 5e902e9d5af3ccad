// The owned copy of an organization id that a call keeps until it starts: inline for the usual
// lengths, on the heap beyond, and the same text after a copy or a move.

#include <boost/test/unit_test.hpp>

#include <string>
#include <utility>

#include <stytch/detail/owned_text.hpp>

using stytch::detail::owned_text;

BOOST_AUTO_TEST_SUITE(owned_text_copy)

BOOST_AUTO_TEST_CASE(short_and_long_texts_survive_copies_and_moves) {
    const std::string id = "organization-test-07971b06-ac8b-4cdb-9c15-63b17e653931";
    const std::string longest_inline(owned_text::inline_size, 'a');
    const std::string beyond(owned_text::inline_size + 1, 'b');
    for (const std::string& s : {std::string(), id, longest_inline, beyond}) {
        std::string source = s;
        const owned_text owned(source);
        source.assign(source.size(), 'z');  // the caller's string may change or go
        BOOST_TEST(owned.view() == s);
        const owned_text copied = owned;
        BOOST_TEST(copied.view() == s);
        owned_text from = copied;
        const owned_text moved = std::move(from);
        BOOST_TEST(moved.view() == s);
        // Each its own bytes (compared as addresses, not as C strings).
        BOOST_TEST(static_cast<const void*>(moved.view().data()) !=
                   static_cast<const void*>(copied.view().data()));
    }
}

BOOST_AUTO_TEST_SUITE_END()
