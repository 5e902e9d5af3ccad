// Heap allocations per call in steady state, counted on the thread running the client (the
// in-process mock server's threads are not counted): C++'s (operator new, aligned_alloc) and C's
// (malloc, calloc, realloc: OpenSSL's, and nghttp2's over HTTP/2). Replaces the global
// allocation functions, so it is its own executable; it runs over both HTTP versions.

#define BOOST_TEST_MODULE stytch allocations
#include <boost/test/unit_test.hpp>

#include <cstdio>
#include <cstdlib>
#include <new>

#include "support/calls.hpp"
#include "support/client_fixture.hpp"
#include "support/h2_run.hpp"

namespace {
thread_local bool counting = false;
thread_local std::size_t allocations = 0;

void* counted(std::size_t alignment, std::size_t size) {
    if (counting) {
        ++allocations;
    }
    void* p = nullptr;
    if (posix_memalign(&p, alignment < sizeof(void*) ? sizeof(void*) : alignment,
                       size ? size : 1) != 0) {
        return nullptr;
    }
    return p;
}
}  // namespace

void* operator new(std::size_t n) {
    if (void* p = counted(alignof(std::max_align_t), n)) {
        return p;
    }
    throw std::bad_alloc();
}
void* operator new[](std::size_t n) {
    return operator new(n);
}
void* operator new(std::size_t n, std::align_val_t a) {
    if (void* p = counted(static_cast<std::size_t>(a), n)) {
        return p;
    }
    throw std::bad_alloc();
}
void operator delete(void* p) noexcept {
    std::free(p);
}
void operator delete[](void* p) noexcept {
    std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
    std::free(p);
}
void operator delete[](void* p, std::size_t) noexcept {
    std::free(p);
}
void operator delete(void* p, std::align_val_t) noexcept {
    std::free(p);
}
void operator delete(void* p, std::size_t, std::align_val_t) noexcept {
    std::free(p);
}
// Asio allocates coroutine frames with aligned_alloc.
extern "C" void* aligned_alloc(std::size_t alignment, std::size_t size) {
    return counted(alignment, size);
}

// C's allocator, counted and forwarded to glibc's own entry points.
extern "C" void* __libc_malloc(std::size_t);
extern "C" void* __libc_calloc(std::size_t, std::size_t);
extern "C" void* __libc_realloc(void*, std::size_t);
extern "C" void __libc_free(void*);
extern "C" void* malloc(std::size_t n) {
    allocations += counting;
    return __libc_malloc(n);
}
extern "C" void* calloc(std::size_t n, std::size_t size) {
    allocations += counting;
    return __libc_calloc(n, size);
}
extern "C" void* realloc(void* p, std::size_t n) {
    allocations += counting;
    return __libc_realloc(p, n);
}
extern "C" void free(void* p) {
    __libc_free(p);
}

using namespace stytch;
using namespace stytch::test;

BOOST_AUTO_TEST_CASE(steady_state_allocations_per_call) {
    client_fixture f;
    auto& c = f.make_client(f.config());
    const b2b::delete_external_id_request request{first_org};
    auto calls = [&](int n) {
        int done = 0;
        for (int i = 0; i < n; ++i) {
            c.organizations().async_delete_external_id(
                request, {}, [&](boost::system::error_code ec, b2b::delete_external_id_response r) {
                    BOOST_TEST(!ec);
                    BOOST_TEST(r.organization.organization_id == first_org);
                    ++done;
                });
            f.run_until([&] { return done == i + 1; });
        }
    };
    calls(50);  // warm-up: connection, buffers, recycling caches

    constexpr int measured = 200;
    counting = true;
    allocations = 0;
    calls(measured);
    counting = false;
    const double per_call = static_cast<double>(allocations) / measured;

    // What the decoded record itself needs: copying a response allocates its strings and
    // containers once each.
    b2b::delete_external_id_response sample;
    {
        int done = 0;
        c.organizations().async_delete_external_id(
            request, {}, [&](boost::system::error_code, b2b::delete_external_id_response r) {
                sample = std::move(r);
                ++done;
            });
        f.run_until([&] { return done == 1; });
    }
    counting = true;
    allocations = 0;
    auto copy = sample;
    counting = false;
    const auto record = allocations;

    std::printf("allocations per call: %.2f, of which the decoded record: %zu, overhead: %.2f\n",
                per_call, record, per_call - static_cast<double>(record));
    BOOST_TEST((copy == sample));
    // Issue 4 asks for zero overhead; today it is 20 over HTTP/1.1 (coroutine frames, one per
    // nested awaitable and per awaited operation, that miss Asio's two-slot recycling cache;
    // the completion's dispatch; OpenSSL's) and 33 over HTTP/2 (the same, the answer's body and
    // the handlers the h2 channel erases). Recycled: nghttp2's own (protocol/h2_memory), the
    // encoded request's buffer (codec/request_buffers), the call record's block
    // (base/spare_block_allocator). These guards keep the rest from growing.
    const double bound = over_http2() ? 35.0 : 22.0;
    BOOST_TEST(per_call - static_cast<double>(record) <= bound);
    c.close();
}
