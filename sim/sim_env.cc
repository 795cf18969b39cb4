#include "sim/sim_env.h"

#include <cmath>
#include <limits>

#include <simgrid/s4u/Engine.hpp>
#include <xbt/log.h>

#include "sim/world.h"

XBT_LOG_NEW_DEFAULT_CATEGORY(fluence, "fluence protocol nodes");

namespace fluence::sim {

SimEnv::SimEnv(World& world, size_t index, uint64_t seed, env::MemoryStore& store)
    : world_(world), index_(index), address_(World::address_of(index)), random_(seed, index), store_(store) {}

env::Time SimEnv::now() {
  double local = offset_s_ + (1 + drift_) * simgrid::s4u::Engine::get_clock();
  return env::Time(static_cast<int64_t>(std::llround(local * 1e9)));
}

env::TimerId SimEnv::schedule(env::Duration delay, std::function<void()> callback) {
  FL_ASSERT(delay.count() >= 0);
  // A node whose clock runs fast sees its timers fire early in real time.
  double wait_s = static_cast<double>(delay.count()) * 1e-9 / (1 + drift_);
  uint64_t id = next_sequence_++;
  queue_.push(Entry{simgrid::s4u::Engine::get_clock() + wait_s, id, id, false});
  callbacks_.emplace(id, std::move(callback));
  return id;
}

void SimEnv::cancel(env::TimerId timer) { callbacks_.erase(timer); }

void SimEnv::at_sim_time(double time_s, std::function<void()> task) {
  uint64_t id = next_sequence_++;
  queue_.push(Entry{time_s, id, id, true});
  tasks_.emplace(id, std::move(task));
}

double SimEnv::next_deadline() const {
  // Cancelled timers stay queued until popped; they only cause a spurious wake-up.
  return queue_.empty() ? std::numeric_limits<double>::infinity() : queue_.top().at;
}

void SimEnv::run_due(double sim_now) {
  while (!queue_.empty() && queue_.top().at <= sim_now) {
    Entry entry = queue_.top();
    queue_.pop();
    auto& table = entry.task ? tasks_ : callbacks_;
    auto it = table.find(entry.id);
    if (it == table.end()) continue;  // cancelled
    std::function<void()> callback = std::move(it->second);
    table.erase(it);
    callback();
  }
}

void SimEnv::drop_timers() { callbacks_.clear(); }

void SimEnv::send(const env::Address& to, Bytes message) {
  FL_ASSERT(message.size() <= env::kMaxMessageBytes);
  world_.send(index_, to, std::move(message));
}

void SimEnv::log(env::LogLevel level, std::string_view message) {
  switch (level) {
    case env::LogLevel::kDebug: XBT_DEBUG("%s: %.*s", address_.c_str(), static_cast<int>(message.size()), message.data()); break;
    case env::LogLevel::kInfo: XBT_INFO("%s: %.*s", address_.c_str(), static_cast<int>(message.size()), message.data()); break;
    case env::LogLevel::kWarning: XBT_WARN("%s: %.*s", address_.c_str(), static_cast<int>(message.size()), message.data()); break;
    case env::LogLevel::kError: XBT_ERROR("%s: %.*s", address_.c_str(), static_cast<int>(message.size()), message.data()); break;
  }
}

void SimEnv::charge(env::Work work, uint64_t units) {
  const CostModel& cost = world_.cost_model();
  switch (work) {
    case env::Work::kSign:
      charged_s_ += cost.sign_s * static_cast<double>(units);
      signs_ += units;
      break;
    case env::Work::kVerify:
      charged_s_ += cost.verify_s * static_cast<double>(units);
      verifies_ += units;
      break;
    case env::Work::kHashBytes: charged_s_ += cost.hash_byte_s * static_cast<double>(units); break;
  }
}

double SimEnv::take_charged_seconds() {
  double s = charged_s_;
  charged_s_ = 0;
  return s;
}

void SimEnv::set_clock(double offset_s, double drift) {
  FL_ASSERT(drift > -1);
  offset_s_ = offset_s;
  drift_ = drift;
}

}  // namespace fluence::sim
