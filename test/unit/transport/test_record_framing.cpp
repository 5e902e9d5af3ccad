// The TLS record framing the idle check relies on: OpenSSL does not tell whether it holds part
// of a record, so the client follows the framing of what it hands over.

#include <boost/test/unit_test.hpp>

#include <string>

#include "transport/record_framing.hpp"

using stytch::detail::record_framing;

namespace {

/// A record of `body` bytes of type application_data.
std::string record(std::size_t body) {
    std::string r{'\x17', '\x03', '\x03', static_cast<char>(body >> 8),
                  static_cast<char>(body & 0xff)};
    r.append(body, 'x');
    return r;
}

void feed(record_framing& f, const std::string& bytes) {
    f.consume(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size());
}

}  // namespace

BOOST_AUTO_TEST_SUITE(tls_record_framing)

BOOST_AUTO_TEST_CASE(whole_records_end_at_a_boundary) {
    record_framing f;
    BOOST_TEST(f.at_boundary());
    feed(f, record(300) + record(0) + record(16401));
    BOOST_TEST(f.at_boundary());
}

BOOST_AUTO_TEST_CASE(every_split_of_two_records_is_tracked) {
    const std::string bytes = record(3) + record(258);
    for (std::size_t cut = 0; cut <= bytes.size(); ++cut) {
        record_framing f;
        feed(f, bytes.substr(0, cut));
        const bool boundary = cut == 0 || cut == 8 || cut == bytes.size();
        BOOST_TEST_CONTEXT("cut " << cut) {
            BOOST_TEST(f.at_boundary() == boundary);
            feed(f, bytes.substr(cut));
            BOOST_TEST(f.at_boundary());
        }
    }
}

BOOST_AUTO_TEST_CASE(one_byte_at_a_time) {
    const std::string bytes = record(1) + record(70000 & 0xffff);
    record_framing f;
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        feed(f, bytes.substr(i, 1));
        const bool boundary = i + 1 == 6 || i + 1 == bytes.size();
        if (f.at_boundary() != boundary) {
            BOOST_TEST(f.at_boundary() == boundary, "at byte " << i);
            break;
        }
    }
    BOOST_TEST(f.at_boundary());
}

BOOST_AUTO_TEST_SUITE_END()
