// Plugins built with the SDK inside the test binary, and a LibraryLoader that "loads" them by
// path, so that loading, registration and invocation are tested without dlopen.
#ifndef COALITION_TESTS_SUPPORT_IN_MEMORY_PLUGINS_H_
#define COALITION_TESTS_SUPPORT_IN_MEMORY_PLUGINS_H_

#include <coalition/plugin.hpp>

#include <atomic>
#include <map>
#include <stdexcept>
#include <string>
#include <thread>

#include "plugin_host/library_loader.h"

namespace coalition::test {

using sdk::Context;
using sdk::Outcome;

// Returns its parameters and the context it was given, so tests can see what crossed the ABI.
class EchoStep {
 public:
  static constexpr sdk::StepTypeInfo kInfo{
      .name = "test.echo",
      .description = "Echoes parameters and context.",
      .parameters_schema = R"({"type":"object","properties":{
          "case_id":{"type":"string","pattern":"^FC-[0-9]+$"},
          "tier":{"type":"integer","minimum":1}},"required":["case_id"]})",
      .output_schema = R"({"type":"object","required":["params","context"]})",
      .capabilities = COALITION_CAP_IDEMPOTENT,
  };
  static inline std::atomic<int> calls{0};
  Outcome execute(const nlohmann::json& params, const Context& context) {
    ++calls;
    return Outcome::ok({{"params", params}, {"context", context.document()}});
  }
};

class ThrowingStep {
 public:
  static constexpr sdk::StepTypeInfo kInfo{
      .name = "test.throws",
      .description = "Throws.",
      .parameters_schema = R"({"type":"object","properties":{}})",
  };
  Outcome execute(const nlohmann::json&, const Context&) {
    throw std::runtime_error("partner client crashed");
  }
};

// Output that breaks its own output schema.
class LyingStep {
 public:
  static constexpr sdk::StepTypeInfo kInfo{
      .name = "test.lies",
      .description = "Violates its output schema.",
      .parameters_schema = R"({"type":"object","properties":{}})",
      .output_schema = R"({"type":"object","properties":{"count":{"type":"integer"}}})",
  };
  Outcome execute(const nlohmann::json&, const Context&) { return Outcome::ok({{"count", "x"}}); }
};

// Detects whether two calls ever overlap on the one instance.
class NotThreadSafeStep {
 public:
  static constexpr sdk::StepTypeInfo kInfo{
      .name = "test.serial",
      .description = "Not thread-safe.",
      .parameters_schema = R"({"type":"object","properties":{}})",
  };
  static inline std::atomic<int> overlaps{0};
  Outcome execute(const nlohmann::json&, const Context&) {
    if (in_flight_.fetch_add(1) != 0) ++overlaps;
    std::this_thread::yield();  // widen the window in which an overlap would show
    in_flight_.fetch_sub(1);
    return Outcome::ok();
  }

 private:
  std::atomic<int> in_flight_{0};
};

// Refuses configuration without "endpoint".
class ConfiguredStep {
 public:
  static constexpr sdk::StepTypeInfo kInfo{
      .name = "test.configured",
      .description = "Needs configuration.",
      .parameters_schema = R"({"type":"object","properties":{}})",
  };
  ConfiguredStep(const sdk::Host&, const nlohmann::json& config) {
    if (!config.contains("endpoint")) throw sdk::InvalidParameters("/endpoint", "is required");
    endpoint_ = config["endpoint"];
  }
  Outcome execute(const nlohmann::json&, const Context&) {
    return Outcome::ok({{"endpoint", endpoint_}});
  }

 private:
  std::string endpoint_;
};

// A second plugin that claims "test.echo".
class ImpostorEchoStep : public EchoStep {
 public:
  static constexpr sdk::StepTypeInfo kInfo{
      .name = "test.echo",
      .description = "Impostor.",
      .parameters_schema = R"({"type":"object","properties":{}})",
  };
};

inline constexpr sdk::PluginInfo kTestPlugin{"test_plugin", "1.2.3", "Fictional Test Org",
                                             sdk::PartnerType::kTechnology, "Test steps."};
inline constexpr sdk::PluginInfo kConfiguredPlugin{"configured", "0.1.0", "Fictional Test Org",
                                                   sdk::PartnerType::kNgo, "Configured."};
inline constexpr sdk::PluginInfo kImpostorPlugin{"impostor", "0.1.0", "Fictional Test Org",
                                                 sdk::PartnerType::kFinancial, "Impostor."};

inline const coalition_plugin_descriptor_t* test_plugin_entry(uint32_t, uint32_t) {
  return sdk::detail::describe<EchoStep, ThrowingStep, LyingStep, NotThreadSafeStep>(kTestPlugin);
}
inline const coalition_plugin_descriptor_t* configured_plugin_entry(uint32_t, uint32_t) {
  return sdk::detail::describe<ConfiguredStep>(kConfiguredPlugin);
}
inline const coalition_plugin_descriptor_t* impostor_plugin_entry(uint32_t, uint32_t) {
  return sdk::detail::describe<ImpostorEchoStep>(kImpostorPlugin);
}

class FakeLibraryLoader final : public LibraryLoader {
 public:
  void add(const std::string& path, coalition_plugin_entry_v1_fn entry) { entries_[path] = entry; }
  // What every path without an entry of its own opens as (a sealed copy's /proc/self/fd/N).
  void add_fallback(coalition_plugin_entry_v1_fn entry) { fallback_ = entry; }
  Result<coalition_plugin_entry_v1_fn> open(const std::filesystem::path& path) override {
    ++opens_;
    last_path_ = path;
    auto it = entries_.find(path.string());
    if (it != entries_.end()) return it->second;
    if (fallback_ != nullptr) return fallback_;
    return Error::plugin_load("cannot load " + path.string());
  }
  size_t opens() const { return opens_; }
  const std::filesystem::path& last_path() const { return last_path_; }

 private:
  std::map<std::string, coalition_plugin_entry_v1_fn> entries_;
  coalition_plugin_entry_v1_fn fallback_ = nullptr;
  size_t opens_ = 0;
  std::filesystem::path last_path_;
};

}  // namespace coalition::test

#endif  // COALITION_TESTS_SUPPORT_IN_MEMORY_PLUGINS_H_
