#include "support/attempt_log.hpp"

namespace stytch::test {

void attempt_log::attach(client_config& cfg) {
    cfg.on_attempt = [s = state_](const attempt_info& info) {
        std::lock_guard lock(s->mutex);
        s->entries.push_back({info, steady::now()});
    };
}

std::vector<attempt_log::entry> attempt_log::entries() const {
    std::lock_guard lock(state_->mutex);
    return state_->entries;
}

std::size_t attempt_log::size() const {
    std::lock_guard lock(state_->mutex);
    return state_->entries.size();
}

void attempt_log::clear() {
    std::lock_guard lock(state_->mutex);
    state_->entries.clear();
}

}  // namespace stytch::test
