// Issue 9, item 3: every byte a server sends is bounded. A 200 MB flood of chunk metadata,
// trailers or headers fails the call long before the flood ends, with a clear error; the
// process's peak memory stays within the body limit plus a small margin; the connection is
// discarded.

#include <boost/beast/http/error.hpp>

#include "conformance/scripting.hpp"

using namespace stytch;
using namespace stytch::test;
using namespace std::chrono_literals;
namespace http = boost::beast::http;

namespace {

constexpr std::size_t flood_piece = 64 * 1024;
constexpr std::size_t flood_bytes = 200 * 1000 * 1000;
/// Allowed growth of the process's peak memory above the body limit: the client's buffers,
/// TLS records, the mock server's own 64 KiB pieces, allocator slack.
constexpr long margin_kib = 4 * 1024;

const std::string chunked_headers =
    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n";

/// `pattern` repeated to fill one write of about 64 KiB.
std::string piece_of(const std::string& pattern) {
    std::string out;
    while (out.size() + pattern.size() <= flood_piece) {
        out += pattern;
    }
    return out;
}

/// The server answers `prefix`, then floods `pattern` (200 MB): the call fails with `expected`
/// before the flood ends, peak memory stays bounded, and the next call uses a new connection.
void flood_fails_fast(const std::string& prefix, const std::string& pattern,
                      boost::system::error_code expected) {
    client_fixture f;
    const std::string piece = piece_of(pattern);
    script_requests(
        f.server,
        {{}, {script_step::write(prefix), script_step::flood(piece, flood_bytes / piece.size())}});
    auto& c = f.make_client();
    // A first call warms up what every call uses once (TLS, the pool), so that the peak below
    // is the flood's alone; the flood then comes on the pooled connection.
    check_own_answer(f.run_call(third_org), third_org);
    f.log.clear();

    reset_peak_resident();
    const long before = status_kib("VmHWM:");
    auto r = f.run_call(first_org);
    const long peak = status_kib("VmHWM:");
    require_error(r, expected);
    BOOST_TEST(f.log.size() == 1u);
    const long limit = static_cast<long>(c.config().max_response_body / 1024) + margin_kib;
    BOOST_TEST_MESSAGE("peak memory grew by " << peak - before << " KiB");
    BOOST_TEST(peak - before <= limit, "peak memory grew by " << peak - before << " KiB");

    // The client closed the connection: the flood's write failed before its end.
    BOOST_TEST(eventually([&] { return f.server.connections_open() == 0u; }));
    BOOST_TEST(f.server.script_steps_completed() < 2u, "the whole flood was sent");
    check_own_answer(f.run_call(second_org), second_org);
    BOOST_TEST(f.server.connections_accepted() == 2u);
}

const boost::system::error_code metadata_limit = error::answer_metadata_limit;

}  // namespace

BOOST_AUTO_TEST_SUITE(bounds)

BOOST_AUTO_TEST_CASE(endless_chunk_extension) {
    flood_fails_fast(chunked_headers + "1;ext=", "a", metadata_limit);
}

BOOST_AUTO_TEST_CASE(endless_chunk_size_line) {
    flood_fails_fast(chunked_headers, "0", metadata_limit);
}

BOOST_AUTO_TEST_CASE(endless_trailer_line) {
    flood_fails_fast(chunked_headers + "1\r\n{\r\n0\r\nX-Trailer: ", "b", metadata_limit);
}

BOOST_AUTO_TEST_CASE(endless_trailer_section) {
    flood_fails_fast(chunked_headers + "1\r\n{\r\n0\r\n", "X-T: b\r\n", metadata_limit);
}

BOOST_AUTO_TEST_CASE(many_tiny_chunks_each_with_a_large_extension) {
    // 1 body byte per 4 KiB of extension: the body stays far below its limit.
    flood_fails_fast(chunked_headers, "1;e=" + std::string(4000, 'e') + "\r\n \r\n",
                     metadata_limit);
}

BOOST_AUTO_TEST_CASE(endless_header_line) {
    flood_fails_fast("HTTP/1.1 200 OK\r\nX-Long: ", "c", http::error::header_limit);
}

BOOST_AUTO_TEST_CASE(endless_header_section) {
    flood_fails_fast("HTTP/1.1 200 OK\r\n", "X-A: b\r\n", http::error::header_limit);
}

BOOST_AUTO_TEST_SUITE_END()
