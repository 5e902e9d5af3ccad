// Arbitrary server bytes to the HTTP/2 client session, in reads of any size, with requests
// submitted and cancelled between reads: no crash, no hang, and the session's invariants hold
// (bodies within the limit, answers only with a status, nothing open once closed).
//
// Input: a sequence of [control byte][chunk]. Control 0xff submits a request, 0xfe cancels
// the oldest open one; any other value c feeds the next (c & 0x7f) + 1 bytes.
#include <cstdint>
#include <cstdlib>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

#include "protocol/h2_session.hpp"

using namespace stytch::detail;

namespace {

const std::vector<header_field> fields = {{":method", "DELETE"},
                                          {":scheme", "https"},
                                          {":authority", "test.stytch.com"},
                                          {":path", "/v1/b2b/organizations/o/external_id"},
                                          {"authorization", "Basic cDpz"}};

void check(h2_session& session, std::deque<std::int32_t>& open, const h2_limits& limits) {
    std::string out;
    session.take_output(out);
    for (const auto& r : session.take_finished()) {
        if (r.body.size() > limits.body_limit ||
            (r.outcome == h2_outcome::answered) != (r.status >= 200 && r.status <= 999) ||
            (r.outcome != h2_outcome::answered && (!r.body.empty() || !r.retry_after.empty()))) {
            std::abort();
        }
        std::erase(open, r.stream_id);
    }
    if (session.open_streams() != open.size() ||
        (session.state() == h2_state::closed && !open.empty())) {
        std::abort();
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    h2_limits limits;
    limits.body_limit = 4096;
    limits.header_list_limit = 2048;
    h2_session session(limits);
    std::deque<std::int32_t> open;
    for (int i = 0; i < 3; ++i) {
        open.push_back(session.submit(fields));
    }
    check(session, open, limits);

    std::string_view input(reinterpret_cast<const char*>(data), size);
    while (!input.empty()) {
        const auto control = static_cast<std::uint8_t>(input.front());
        input.remove_prefix(1);
        if (control == 0xff) {
            if (const auto id = session.submit(fields); id > 0) {
                open.push_back(id);
            } else if (session.state() == h2_state::open) {
                std::abort();  // an open session always takes a request (ids are far from out)
            }
        } else if (control == 0xfe) {
            if (!open.empty()) {
                session.cancel(open.front());
            }
        } else {
            const std::size_t n = std::min<std::size_t>(input.size(), (control & 0x7f) + 1u);
            session.receive(input.substr(0, n));
            input.remove_prefix(n);
        }
        check(session, open, limits);
    }
    session.connection_lost();
    check(session, open, limits);
    if (!open.empty() || session.state() != h2_state::closed) {
        std::abort();
    }
    return 0;
}
