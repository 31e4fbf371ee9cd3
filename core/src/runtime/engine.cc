#include "runtime/engine.h"

#include <boost/asio/post.hpp>
#include <random>

namespace coalition {

namespace {

// Execution ids are unguessable enough to be used in URLs later, and readable in logs.
std::string fresh_id(uint64_t n) {
  static const uint64_t salt = std::random_device{}();
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "ex-%08llx-%llu",
                static_cast<unsigned long long>(salt & 0xffffffffULL),
                static_cast<unsigned long long>(n));
  return buffer;
}

}  // namespace

Engine::Engine(const PluginRegistry& registry, const WorkflowCatalog& catalog, Clock& clock,
               EngineOptions options, EventSink* sink)
    : registry_(registry),
      catalog_(catalog),
      clock_(clock),
      sink_(sink),
      work_(std::make_unique<
            boost::asio::executor_work_guard<boost::asio::io_context::executor_type>>(
          io_.get_executor())),
      plugin_pool_(std::max<size_t>(1, options.plugin_threads)) {
  for (size_t i = 0; i < std::max<size_t>(1, options.scheduler_threads); ++i) {
    threads_.emplace_back([this] { io_.run(); });
  }
}

Engine::~Engine() {
  plugin_pool_.join();
  work_.reset();
  io_.stop();
  for (auto& t : threads_) t.join();
}

// A counter rather than a mutex on every post: the mutex is taken only when the count reaches
// zero, so that a waiter cannot miss the notification between its check and its wait.
void Engine::begin_work() {
  outstanding_.fetch_add(1, std::memory_order_relaxed);
}

void Engine::end_work() {
  if (outstanding_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
    std::lock_guard<std::mutex> lock(idle_mutex_);
    idle_.notify_all();
  }
}

void Engine::post(std::function<void()> work) {
  begin_work();
  boost::asio::post(io_, [this, work = std::move(work)] {
    work();
    end_work();
  });
}

void Engine::post_blocking(std::function<void()> work) {
  begin_work();
  boost::asio::post(plugin_pool_, [this, work = std::move(work)] {
    work();
    end_work();
  });
}

void Engine::record(const std::string& execution_id, const Event& event) {
  if (sink_ != nullptr) sink_->on_event(execution_id, event);
}

void Engine::wait_idle() {
  std::unique_lock<std::mutex> lock(idle_mutex_);
  idle_.wait(lock, [this] { return outstanding_.load(std::memory_order_acquire) == 0; });
}

Result<std::string> Engine::start(std::shared_ptr<const Workflow> workflow, nlohmann::json input,
                                  std::string id) {
  if (workflow->compiled_input_schema) {
    auto violations = workflow->compiled_input_schema->validate(input);
    if (!violations.empty()) {
      const auto& v = violations.front();
      std::string message = workflow->compiled_input_schema->describe(v);
      if (violations.size() > 1)
        message += " (and " + std::to_string(violations.size() - 1) + " more)";
      return Error::invalid_data(
          "input does not match the input schema of " + workflow->key() + ": " + message,
          v.pointer.empty() ? "/" : v.pointer);
    }
  }
  if (id.empty()) id = fresh_id(next_id_++);
  auto execution = std::make_shared<Execution>(*this, id, std::move(workflow), std::move(input));
  {
    std::lock_guard<std::mutex> lock(executions_mutex_);
    if (!executions_.emplace(id, execution).second) {
      return Error::conflict("an execution with id " + id + " already exists");
    }
  }
  execution->start();
  return id;
}

std::optional<ExecutionSnapshot> Engine::snapshot(const std::string& id) const {
  std::shared_ptr<Execution> execution;
  {
    std::lock_guard<std::mutex> lock(executions_mutex_);
    auto it = executions_.find(id);
    if (it == executions_.end()) return std::nullopt;
    execution = it->second;
  }
  return execution->snapshot();
}

std::vector<std::string> Engine::execution_ids() const {
  std::lock_guard<std::mutex> lock(executions_mutex_);
  std::vector<std::string> ids;
  for (const auto& [id, e] : executions_) ids.push_back(id);
  return ids;
}

}  // namespace coalition
