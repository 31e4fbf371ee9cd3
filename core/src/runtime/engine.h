// Engine: runs executions concurrently. Scheduler work (interpreting steps, recording events)
// runs on a Boost.Asio io_context with its own threads; plugin calls run on a separate pool, so
// a slow plugin never holds up the scheduler. Time comes from a Clock.
#ifndef COALITION_RUNTIME_ENGINE_H_
#define COALITION_RUNTIME_ENGINE_H_

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/thread_pool.hpp>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "runtime/execution.h"

namespace coalition {

struct EngineOptions {
  size_t scheduler_threads = 1;
  size_t plugin_threads = 4;
};

class Engine final : public ExecutionHost {
 public:
  // `registry`, `catalog`, `clock` and `sink` (may be null) must outlive the engine.
  Engine(const PluginRegistry& registry, const WorkflowCatalog& catalog, Clock& clock,
         EngineOptions options = {}, EventSink* sink = nullptr);
  ~Engine() override;
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Checks `input` against the workflow's input schema (kInvalidData naming the pointer of the
  // first violation; nothing runs) and starts an execution. An empty `id` gets a fresh one.
  Result<std::string> start(std::shared_ptr<const Workflow> workflow, nlohmann::json input,
                            std::string id = {});

  // Blocks until no scheduler work or plugin call is pending: every execution is finished,
  // suspended, or waiting for its clock.
  void wait_idle();

  std::optional<ExecutionSnapshot> snapshot(const std::string& id) const;
  std::vector<std::string> execution_ids() const;

  // ExecutionHost
  Clock& clock() override { return clock_; }
  const PluginRegistry& registry() const override { return registry_; }
  const WorkflowCatalog& catalog() const override { return catalog_; }
  void post(std::function<void()> work) override;
  void post_blocking(std::function<void()> work) override;
  void record(const std::string& execution_id, const Event& event) override;

 private:
  void begin_work();
  void end_work();

  const PluginRegistry& registry_;
  const WorkflowCatalog& catalog_;
  Clock& clock_;
  EventSink* sink_;
  boost::asio::io_context io_;
  std::unique_ptr<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_;
  std::vector<std::thread> threads_;
  boost::asio::thread_pool plugin_pool_;

  mutable std::mutex executions_mutex_;
  std::map<std::string, std::shared_ptr<Execution>> executions_;
  std::atomic<uint64_t> next_id_{1};

  std::mutex idle_mutex_;
  std::condition_variable idle_;
  std::atomic<size_t> outstanding_{0};  // posted work not yet finished
};

}  // namespace coalition

#endif  // COALITION_RUNTIME_ENGINE_H_
