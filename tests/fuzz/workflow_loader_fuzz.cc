// libFuzzer target: any bytes through the workflow loader, the validator and the graph renderer
// must give problems or a workflow, never a crash, a hang or an uncaught exception.
// Built with the `fuzz` preset (clang); tools/fuzz runs it seeded from workflows/ and tests/.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "plugin_host/plugin_registry.h"
#include "support/in_memory_plugins.h"
#include "workflow/workflow_graph.h"
#include "workflow/workflow_loader.h"
#include "workflow/workflow_validator.h"

namespace {

const coalition::PluginRegistry& registry() {
  static coalition::test::FakeLibraryLoader libraries;
  static coalition::PluginRegistry r = [] {
    coalition::PluginRegistry reg;
    coalition::PluginLoader loader(libraries, nlohmann::json::object());
    auto plugin = loader.load_entry(&coalition::test::test_plugin_entry, "libtest_plugin.so");
    if (plugin) (void)reg.add(std::move(*plugin));
    return reg;
  }();
  return r;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto loaded = coalition::load_workflow(text, "fuzz.json");
  if (!loaded.workflow) return 0;
  coalition::WorkflowCatalog catalog;
  (void)catalog.add(loaded.workflow);
  (void)coalition::validate_workflow(*loaded.workflow, registry(), catalog);
  (void)coalition::render_graph(*loaded.workflow, coalition::GraphFormat::kDot);
  (void)coalition::render_graph(*loaded.workflow, coalition::GraphFormat::kMermaid);
  return 0;
}
