#include "plugin_host/isolated_plugin.h"

#include <fmt/format.h>
#include <signal.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <future>
#include <thread>

#include "plugin_host/plugin_process.h"

namespace coalition {
namespace {

// How long a host may take to start and load its plugin (dlopen, static constructors, create).
constexpr std::chrono::seconds kStartLimit{10};

HostCallResult unavailable(std::string code, std::string message) {
  return {std::nullopt, std::move(code), std::move(message)};
}

}  // namespace

std::unique_ptr<PluginHosts> make_plugin_hosts(const PluginIsolationConfig& isolation) {
  return std::make_unique<PluginHosts>(
      std::make_unique<SpawnHostLauncher>(
          isolation.host_program.empty() ? default_host_program() : isolation.host_program,
          isolation.host),
      isolation.host);
}

struct PluginHosts::IoThread {
  boost::asio::io_context io;
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work{io.get_executor()};
  std::thread thread{[this] {
    // SIGTERM and SIGINT are the command's to wait for (cli/real_time_loop.cc): this thread
    // starts with the installation, before the command blocks them, and the kernel hands a
    // process's signal to any thread that does not block it — where it would end the process
    // instead of stopping it. The hosts it starts get an empty mask of their own (HostLauncher).
    sigset_t stop;
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop, nullptr);
    io.run();
  }};
};

PluginHosts::PluginHosts(std::unique_ptr<HostLauncher> launcher, PluginHostLimits limits)
    : launcher_(std::move(launcher)), limits_(limits), io_thread_(std::make_unique<IoThread>()) {}

boost::asio::io_context& PluginHosts::io() {
  return io_thread_->io;
}

PluginHosts::~PluginHosts() {
  std::vector<std::shared_ptr<IsolatedPlugin>> plugins;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    plugins.swap(plugins_);
  }
  for (auto& plugin : plugins) plugin->stop();
  plugins.clear();
  io_thread_->work.reset();
  io_thread_->thread.join();
}

std::shared_ptr<IsolatedPlugin> PluginHosts::add(std::string plugin_id, std::string load_document,
                                                 size_t max_frame) {
  auto plugin = std::make_shared<IsolatedPlugin>(*this, std::move(plugin_id),
                                                 std::move(load_document), max_frame);
  std::lock_guard<std::mutex> lock(mutex_);
  plugins_.push_back(plugin);
  return plugin;
}

Result<HostChild> PluginHosts::spawn(const std::string& plugin_id) {
  // PR_SET_PDEATHSIG follows the thread that spawned the child, not the process: a host spawned
  // by a thread that ends would be killed with it. The io thread lives as long as the hosts.
  std::promise<Result<HostChild>> done;
  auto spawned = done.get_future();
  boost::asio::post(io_thread_->io, [&] { done.set_value(launcher_->launch(plugin_id)); });
  return spawned.get();
}

void PluginHosts::forget(const IsolatedPlugin* plugin) {
  std::lock_guard<std::mutex> lock(mutex_);
  std::erase_if(plugins_, [plugin](const auto& p) { return p.get() == plugin; });
}

std::vector<PluginHealth> PluginHosts::health() const {
  std::lock_guard<std::mutex> lock(mutex_);
  std::vector<PluginHealth> all;
  for (const auto& plugin : plugins_) all.push_back(plugin->health());
  return all;
}

IsolatedPlugin::IsolatedPlugin(PluginHosts& hosts, std::string plugin_id, std::string load_document,
                               size_t max_frame)
    : hosts_(hosts),
      plugin_id_(std::move(plugin_id)),
      load_document_(std::move(load_document)),
      max_frame_(max_frame) {}

Result<std::shared_ptr<PluginProcess>> IsolatedPlugin::launch(std::chrono::milliseconds limit) {
  auto child = hosts_.spawn(plugin_id_);
  if (!child) return std::move(child).error();
  auto process = PluginProcess::adopt(hosts_.io(), *child, plugin_id_, max_frame_);
  ++starts_;
  auto description = process->load(load_document_, limit);
  if (!description) {
    process->stop(std::chrono::milliseconds(0));
    return std::move(description).error();
  }
  if (description_.empty()) {
    description_ = std::move(*description);
  } else if (*description != description_) {
    process->stop(std::chrono::milliseconds(0));
    return Error::plugin_load("plugin '" + plugin_id_ +
                              "' declares something else than when the engine loaded it (was "
                              "its library replaced?)");
  }
  return process;
}

Result<std::string> IsolatedPlugin::start(std::chrono::milliseconds limit) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto process = launch(limit);
  if (!process) return std::move(process).error();
  current_ = std::move(*process);
  return description_;
}

std::variant<std::shared_ptr<PluginProcess>, HostCallResult> IsolatedPlugin::running(
    std::chrono::steady_clock::time_point deadline) {
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    const auto now = std::chrono::steady_clock::now();
    if (now < quarantined_until_) {
      return unavailable("plugin.quarantined",
                         fmt::format("plugin '{}' is quarantined after {} failures of its host "
                                     "in a row (last: {})",
                                     plugin_id_, hosts_.limits().quarantine_after, last_failure_));
    }
    if (current_ && current_->alive()) return current_;
    if (current_) {  // it died between calls: that counts too
      note_failure_locked(current_, "its host " + current_->death());
      current_.reset();
      continue;
    }
    if (now >= next_start_) break;
    if (next_start_ > deadline) {
      return unavailable("plugin.crashed",
                         fmt::format("the host of plugin '{}' is restarting after a failure "
                                     "(last: {})",
                                     plugin_id_, last_failure_));
    }
    // Wait out the backoff without holding the lock, then look again: another caller may have
    // started a host meanwhile.
    const auto until = next_start_;
    lock.unlock();
    std::this_thread::sleep_until(until);
    lock.lock();
  }
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
  auto process = launch(
      std::clamp(left, std::chrono::milliseconds(1), std::chrono::milliseconds(kStartLimit)));
  if (!process) {
    note_failure_locked(nullptr, process.error().message());
    return unavailable("plugin.crashed",
                       fmt::format("the host of plugin '{}' could not be started: {}", plugin_id_,
                                   process.error().message()));
  }
  current_ = *process;
  return std::move(*process);
}

HostCallResult IsolatedPlugin::call(FrameKind kind, uint32_t type_index, const std::string& first,
                                    const std::string& context, std::chrono::milliseconds limit) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  auto host = running(deadline);
  if (auto* refused = std::get_if<HostCallResult>(&host)) return std::move(*refused);
  auto& process = std::get<std::shared_ptr<PluginProcess>>(host);
  if (std::chrono::steady_clock::now() >= deadline) {
    // Its time ran out while a host was being started for it: nothing was sent, nothing killed.
    return {std::nullopt, "plugin.timed_out",
            fmt::format("a call of plugin '{}' waited past its time limit for a host to start",
                        plugin_id_)};
  }
  HostCallResult result = process->call(kind, type_index, first, context, deadline, limit);
  if (result.answer) {
    std::lock_guard<std::mutex> lock(mutex_);
    if (current_ == process) consecutive_ = 0;
  } else {
    note_failure(process, result.message);
  }
  return result;
}

void IsolatedPlugin::note_failure(const std::shared_ptr<PluginProcess>& process,
                                  const std::string& what) {
  std::lock_guard<std::mutex> lock(mutex_);
  note_failure_locked(process, what);
}

void IsolatedPlugin::note_failure_locked(const std::shared_ptr<PluginProcess>& process,
                                         const std::string& what) {
  // One death fails every call in flight on that host: it counts once.
  if (process && !counted_.owner_before(process) && !process.owner_before(counted_)) return;
  counted_ = process;
  ++failures_;
  ++consecutive_;
  last_failure_ = what;
  const auto& limits = hosts_.limits();
  const auto now = std::chrono::steady_clock::now();
  auto backoff = limits.restart_backoff;
  for (size_t i = 1; i < consecutive_ && backoff < limits.restart_backoff_max; ++i) backoff *= 2;
  next_start_ = now + std::min(backoff, limits.restart_backoff_max);
  if (consecutive_ >= limits.quarantine_after) {
    quarantined_until_ = now + limits.quarantine_for;
    consecutive_ = 0;
    spdlog::error(
        "plugin '{}' is quarantined for {} s after {} failures of its host in a row "
        "(last: {})",
        plugin_id_, limits.quarantine_for.count() / 1000, limits.quarantine_after, what);
  }
}

PluginHealth IsolatedPlugin::health() const {
  std::lock_guard<std::mutex> lock(mutex_);
  PluginHealth health;
  health.plugin_id = plugin_id_;
  health.running = current_ && current_->alive();
  health.starts = starts_;
  health.failures = failures_;
  health.quarantined = std::chrono::steady_clock::now() < quarantined_until_;
  health.last_failure = last_failure_;
  return health;
}

void IsolatedPlugin::stop() {
  std::shared_ptr<PluginProcess> process;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    process.swap(current_);
  }
  if (process) process->stop(std::chrono::milliseconds(500));
}

}  // namespace coalition
