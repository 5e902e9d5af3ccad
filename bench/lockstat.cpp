// liblockstat.so: preloaded under stytch-bench by bench/locks.sh, it counts every
// pthread_mutex_lock (std::mutex, Asio's mutexes) by the code that took it: acquisitions, the
// ones that found the mutex taken (contended), the time spent waiting for those, and the time
// the mutex was held. At exit it writes one line per call site to $LOCKSTAT_OUT:
//   MODULE OFFSET ACQUISITIONS CONTENDED WAIT_NS HOLD_NS
// (OFFSET is the caller's address within MODULE, for addr2line). A thread that waits on a
// condition variable does not hold its mutex meanwhile: pthread_cond_wait ends the hold and
// starts a new one (not a new acquisition) when it returns.

#include <dlfcn.h>
#include <pthread.h>
#include <time.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

namespace {

using lock_fn = int (*)(pthread_mutex_t*);
using wait_fn = int (*)(pthread_cond_t*, pthread_mutex_t*);
using timedwait_fn = int (*)(pthread_cond_t*, pthread_mutex_t*, const timespec*);

lock_fn real_lock;
lock_fn real_trylock;
lock_fn real_unlock;
wait_fn real_wait;
timedwait_fn real_timedwait;

void resolve() {
    real_lock = reinterpret_cast<lock_fn>(dlsym(RTLD_NEXT, "pthread_mutex_lock"));
    real_trylock = reinterpret_cast<lock_fn>(dlsym(RTLD_NEXT, "pthread_mutex_trylock"));
    real_unlock = reinterpret_cast<lock_fn>(dlsym(RTLD_NEXT, "pthread_mutex_unlock"));
    real_wait = reinterpret_cast<wait_fn>(dlvsym(RTLD_NEXT, "pthread_cond_wait", "GLIBC_2.3.2"));
    real_timedwait =
        reinterpret_cast<timedwait_fn>(dlvsym(RTLD_NEXT, "pthread_cond_timedwait", "GLIBC_2.3.2"));
}

std::uint64_t now_ns() {
    timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return static_cast<std::uint64_t>(t.tv_sec) * 1000000000u +
           static_cast<std::uint64_t>(t.tv_nsec);
}

struct site {
    std::atomic<std::uintptr_t> caller{0};
    std::atomic<std::uint64_t> acquisitions{0}, contended{0}, wait_ns{0}, hold_ns{0};
};

constexpr std::size_t site_count = 4096;  // open addressing; a process has a few hundred sites
site sites[site_count];

site* site_of(std::uintptr_t caller) {
    for (std::size_t i = (caller >> 4) % site_count, n = 0; n < site_count;
         i = (i + 1) % site_count, ++n) {
        std::uintptr_t seen = sites[i].caller.load(std::memory_order_acquire);
        // A failed exchange reloads `seen`: another thread may just have claimed the slot.
        if (seen == 0 && sites[i].caller.compare_exchange_strong(seen, caller)) {
            return &sites[i];
        }
        if (seen == caller) {
            return &sites[i];
        }
    }
    return nullptr;  // table full: not counted
}

// The mutexes this thread holds, with where and when each hold began.
struct held {
    pthread_mutex_t* mutex;
    site* where;
    std::uint64_t since;
};
constexpr int max_held = 32;
thread_local held holds[max_held] __attribute__((tls_model("initial-exec")));
thread_local int held_count __attribute__((tls_model("initial-exec"))) = 0;

void begin_hold(pthread_mutex_t* m, site* s) {
    if (held_count < max_held) {
        holds[held_count++] = {m, s, now_ns()};
    }
}

void end_hold(pthread_mutex_t* m) {
    for (int i = held_count - 1; i >= 0; --i) {
        if (holds[i].mutex == m) {
            if (holds[i].where) {
                holds[i].where->hold_ns.fetch_add(now_ns() - holds[i].since,
                                                  std::memory_order_relaxed);
            }
            holds[i] = holds[--held_count];
            return;
        }
    }
}

site* find_hold_site(pthread_mutex_t* m) {
    for (int i = held_count - 1; i >= 0; --i) {
        if (holds[i].mutex == m) {
            return holds[i].where;
        }
    }
    return nullptr;
}

__attribute__((destructor)) void report() {
    const char* path = std::getenv("LOCKSTAT_OUT");
    FILE* out = path ? std::fopen(path, "w") : nullptr;
    if (!out) {
        return;
    }
    for (auto& s : sites) {
        const auto caller = s.caller.load();
        if (caller == 0) {
            continue;
        }
        Dl_info info{};
        const bool named = dladdr(reinterpret_cast<void*>(caller), &info) != 0 && info.dli_fname;
        const auto base = named ? reinterpret_cast<std::uintptr_t>(info.dli_fbase) : 0;
        std::fprintf(out, "%s 0x%lx %lu %lu %lu %lu\n", named ? info.dli_fname : "?",
                     static_cast<unsigned long>(caller - base),
                     static_cast<unsigned long>(s.acquisitions.load()),
                     static_cast<unsigned long>(s.contended.load()),
                     static_cast<unsigned long>(s.wait_ns.load()),
                     static_cast<unsigned long>(s.hold_ns.load()));
    }
    std::fclose(out);
}

}  // namespace

extern "C" {

int pthread_mutex_lock(pthread_mutex_t* m) {
    if (!real_lock) {
        resolve();
    }
    // The call instruction's own address: the return address minus one lies inside it.
    site* s = site_of(reinterpret_cast<std::uintptr_t>(__builtin_return_address(0)) - 1);
    int rv = real_trylock(m);
    if (rv == EBUSY) {
        const auto start = now_ns();
        rv = real_lock(m);
        if (s) {
            s->contended.fetch_add(1, std::memory_order_relaxed);
            s->wait_ns.fetch_add(now_ns() - start, std::memory_order_relaxed);
        }
    }
    if (rv == 0) {
        if (s) {
            s->acquisitions.fetch_add(1, std::memory_order_relaxed);
        }
        begin_hold(m, s);
    }
    return rv;
}

int pthread_mutex_unlock(pthread_mutex_t* m) {
    if (!real_unlock) {
        resolve();
    }
    end_hold(m);
    return real_unlock(m);
}

int pthread_cond_wait(pthread_cond_t* c, pthread_mutex_t* m) {
    if (!real_wait) {
        resolve();
    }
    site* s = find_hold_site(m);
    end_hold(m);
    const int rv = real_wait(c, m);
    begin_hold(m, s);
    return rv;
}

int pthread_cond_timedwait(pthread_cond_t* c, pthread_mutex_t* m, const timespec* t) {
    if (!real_timedwait) {
        resolve();
    }
    site* s = find_hold_site(m);
    end_hold(m);
    const int rv = real_timedwait(c, m, t);
    begin_hold(m, s);
    return rv;
}
}
