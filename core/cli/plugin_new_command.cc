#include "cli/plugin_new_command.h"

#include <CLI/CLI.hpp>
#include "cli/command_options.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <system_error>
#include <utility>
#include <vector>

#include "cli/exit_code.h"
#include "version.h"

namespace coalition::cli {
namespace {

namespace fs = std::filesystem;

// The templates. @ID@, @PUBLISHER@, @PARTNER_CPP@, @PARTNER_C@, @SDK_VERSION@ and @LANG@ are
// replaced; nothing else is special. What they produce builds with -Wall -Wextra -Werror.

constexpr const char* kCMake =
    R"(# @ID@ — a Coalition plugin@IN_C@. Build and test it against an installed Coalition:
#   cmake -S . -B build -DCMAKE_PREFIX_PATH=<where Coalition is installed>
#   cmake --build build && ctest --test-dir build --output-on-failure
cmake_minimum_required(VERSION 3.25)
project(@ID@ VERSION 0.1.0 LANGUAGES @LANGUAGE@)

find_package(Coalition @SDK_VERSION@ REQUIRED)

# lib@ID@.so, exporting only the plugin entry point; after each build the manifest
# (@ID@.plugin.json, with the library's SHA-256) is written beside it.
coalition_add_plugin(@ID@ SOURCES @SOURCE@)
@STANDARD@
target_compile_options(@ID@ PRIVATE -Wall -Wextra -Werror)

# The cases run the library the way the engine runs it: in a plugin host, with the parameters
# and output checked against the schemas the step type declares.
enable_testing()
add_test(NAME @ID@.cases
         COMMAND Coalition::coalition plugin test $<TARGET_FILE:@ID@>
                 ${CMAKE_CURRENT_SOURCE_DIR}/tests/cases.json)
)";

constexpr const char* kSourceCpp = R"(// @ID@: a Coalition plugin (C++, coalition/plugin.hpp).
//
// One step type, "@ID@.acknowledge": it takes a reference (the engine carries references, never
// content) and answers that it was acknowledged, with the attempt's idempotency key — the same on
// every retry of one step, so a partner system can recognise a repeat. Replace it with your own.
#include <coalition/plugin.hpp>

#include <string>

namespace {

class Acknowledge {
 public:
  static constexpr coalition::sdk::StepTypeInfo kInfo{
      .name = "@ID@.acknowledge",
      .description = "Acknowledges a reference.",
      // Checked by the engine before execute() runs: execute() may rely on it.
      .parameters_schema = R"json({
        "type": "object",
        "properties": {
          "reference": {"type": "string", "pattern": "^[A-Z]{2,6}-[0-9]{4}-[0-9]{1,8}$"},
          "note": {"type": "string", "maxLength": 500}
        },
        "required": ["reference"]
      })json",
      // Checked by the engine after execute() returns.
      .output_schema = R"json({
        "type": "object",
        "properties": {
          "reference": {"type": "string"},
          "acknowledged": {"const": true},
          "key": {"type": "string"}
        },
        "required": ["reference", "acknowledged", "key"]
      })json",
      .capabilities = COALITION_CAP_IDEMPOTENT | COALITION_CAP_THREAD_SAFE,
  };

  coalition::sdk::Outcome execute(const nlohmann::json& params,
                                  const coalition::sdk::Context& context) {
    const std::string reference = params.at("reference");
    return coalition::sdk::Outcome::ok(
        {{"reference", reference}, {"acknowledged", true}, {"key", context.idempotency_key()}});
  }
};

constexpr coalition::sdk::PluginInfo kPlugin{"@ID@", "0.1.0", "@PUBLISHER@",
                                             coalition::sdk::PartnerType::@PARTNER_CPP@,
                                             "Acknowledges references."};

}  // namespace

COALITION_PLUGIN(kPlugin, Acknowledge)
)";

constexpr const char* kSourceC =
    R"(/* @ID@: a Coalition plugin in plain C99 (coalition/plugin_abi.h, coalition/plugin_json.h).
 *
 * One step type, "@ID@.acknowledge": it takes a reference (the engine carries references, never
 * content) and answers that it was acknowledged, with the attempt's idempotency key — the same on
 * every retry of one step, so a partner system can recognise a repeat. Replace it with your own. */
#include <coalition/plugin_abi.h>
#include <coalition/plugin_json.h>
#include <stdlib.h>
#include <string.h>

/* Every string handed to the engine is malloc'd; the engine gives each back here. */
static void release(char* s) {
  free(s);
}

static char* error_document(const char* code, const char* message) {
  coalition_json_writer_t w;
  coalition_json_begin(&w);
  coalition_json_add_string(&w, "code", code);
  coalition_json_add_string(&w, "message", message);
  return coalition_json_end(&w);
}

static int instance; /* this step type keeps no state: every instance is the same */

static void* create(const coalition_host_api_t* host, const char* config_json,
                    coalition_result_t* error) {
  (void)host;
  (void)config_json;
  (void)error;
  return &instance;
}

static void execute(void* self, const char* input_json, const char* context_json,
                    coalition_result_t* out) {
  char reference[64];
  char key[512];
  (void)self;
  /* The engine checked the parameters against the schema below before this runs. */
  if (coalition_json_get_string(input_json, "reference", reference, sizeof reference) !=
      COALITION_JSON_OK) {
    out->status = COALITION_STATUS_INVALID_PARAMETERS;
    out->error_json = error_document("parameters.invalid", "reference is required");
    return;
  }
  if (coalition_json_get_string(context_json, "idempotency_key", key, sizeof key) !=
      COALITION_JSON_OK) {
    key[0] = '\0';
  }
  coalition_json_writer_t w;
  coalition_json_begin(&w);
  coalition_json_add_string(&w, "reference", reference);
  coalition_json_add_bool(&w, "acknowledged", 1);
  coalition_json_add_string(&w, "key", key);
  out->output_json = coalition_json_end(&w);
  if (out->output_json == NULL) { /* out of memory: another attempt may fare better */
    out->status = COALITION_STATUS_RETRYABLE_ERROR;
    out->error_json = error_document("@ID@.no_memory", "out of memory");
    return;
  }
  out->status = COALITION_STATUS_OK;
}

static void destroy(void* self) {
  (void)self;
}

/* Designated initializers: a field a later ABI minor appends stays zero (NULL), unnamed. */
static const coalition_step_type_t acknowledge = {
    .struct_size = sizeof(coalition_step_type_t),
    .capabilities = COALITION_CAP_IDEMPOTENT | COALITION_CAP_THREAD_SAFE,
    .name = "@ID@.acknowledge",
    .description = "Acknowledges a reference.",
    .parameters_schema_json =
        "{\"type\": \"object\", \"properties\": {"
        " \"reference\": {\"type\": \"string\", \"pattern\": \"^[A-Z]{2,6}-[0-9]{4}-[0-9]{1,8}$\"},"
        " \"note\": {\"type\": \"string\", \"maxLength\": 500}},"
        " \"required\": [\"reference\"]}",
    .output_schema_json =
        "{\"type\": \"object\", \"properties\": {"
        " \"reference\": {\"type\": \"string\"}, \"acknowledged\": {\"const\": true},"
        " \"key\": {\"type\": \"string\"}}, \"required\": [\"reference\", \"acknowledged\", \"key\"]}",
    .create = create,
    .execute = execute,
    .resume = NULL, /* never suspends */
    .destroy = destroy,
};

static const coalition_step_type_t* const step_types[] = {&acknowledge};

static const coalition_plugin_descriptor_t descriptor = {
    COALITION_ABI_MAGIC,
    sizeof(coalition_plugin_descriptor_t),
    COALITION_ABI_MAJOR,
    0, /* needs nothing newer than ABI 1.0: loads in every 1.x engine */
    "@ID@",
    "0.1.0",
    "@PUBLISHER@",
    "Acknowledges references.",
    @PARTNER_C@,
    1,
    step_types,
    release,
};

COALITION_EXPORT const coalition_plugin_descriptor_t* coalition_plugin_entry_v1(
    uint32_t host_abi_major, uint32_t host_abi_minor) {
  (void)host_abi_minor;
  return host_abi_major == COALITION_ABI_MAJOR ? &descriptor : NULL;
}
)";

constexpr const char* kCases = R"([
  {
    "name": "a reference is acknowledged with the attempt's idempotency key",
    "step_type": "@ID@.acknowledge",
    "parameters": {"reference": "CASE-2026-0042"},
    "context": {"idempotency_key": "ex-1/acknowledge", "attempt": 1},
    "expect": {"status": "ok",
               "output": {"reference": "CASE-2026-0042", "acknowledged": true,
                          "key": "ex-1/acknowledge"}}
  },
  {
    "name": "a malformed reference is refused before the plugin runs",
    "step_type": "@ID@.acknowledge",
    "parameters": {"reference": "not a reference"},
    "expect": {"status": "invalid_parameters", "error_code": "parameters.invalid"}
  }
]
)";

constexpr const char* kReadme = R"(# @ID@

A Coalition plugin (@LANG@), scaffolded by `coalition plugin new`.

## Build and test
With Coalition installed under `$PREFIX` (`cmake --install` of the engine's build):

```sh
cmake -S . -B build -DCMAKE_PREFIX_PATH="$PREFIX"
cmake --build build                       # lib@ID@.so and its manifest @ID@.plugin.json
ctest --test-dir build --output-on-failure  # the cases in tests/cases.json
```

The build writes the manifest from what the code declares, with the library's SHA-256: never
edit it by hand, and do not strip the library after it is written. The cases are run by
`coalition plugin test`, which loads the library in a plugin host as the engine does and checks
parameters, outputs and answers against the schemas the step type declares; add a case for
every behaviour you promise.

## Install
Copy `lib@ID@.so` and `@ID@.plugin.json` into a directory named in `plugins.directories` of the
engine's configuration (`coalition plugins` then lists the step type). A plugin from outside the
engine's own directory runs isolated, in a process of its own. If the coalition requires
signatures, sign the manifest with your publisher key (`coalition plugin sign @ID@.plugin.json
--key publisher.key`) and ship the `.plugin.sig` beside it.

## Rules
The step type's name is prefixed with the plugin id; the engine checks parameters before and
output after each call; references only — never images or video — go in and out; contact
details are never logged in clear. See the plugin guide (`docs/plugin-guide.md` in Coalition).
)";

constexpr const char* kGitignore = "build/\n";

std::string fill(std::string text, const std::map<std::string, std::string>& values) {
  for (const auto& [key, value] : values) {
    for (size_t at = text.find(key); at != std::string::npos;
         at = text.find(key, at + value.size())) {
      text.replace(at, key.size(), value);
    }
  }
  return text;
}

bool write_text(const fs::path& file, const std::string& text) {
  std::ofstream out(file, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  return static_cast<bool>(out);
}

}  // namespace

int run_plugin_new_command(const PluginNewOptions& options, std::ostream& out, std::ostream& err) {
  static const std::regex kId("[a-z][a-z0-9_]{0,63}");
  if (!std::regex_match(options.name, kId)) {
    err << "coalition: '" << options.name
        << "' is not a plugin id: lower-case letters, digits and _, starting with a letter "
           "(it becomes lib<id>.so and the prefix of its step types)\n";
    return kExitUsage;
  }
  if (options.lang != "cpp" && options.lang != "c") {
    err << "coalition: --lang is cpp or c\n";
    return kExitUsage;
  }
  static const std::map<std::string, std::pair<std::string, std::string>> kPartners{
      {"financial", {"kFinancial", "COALITION_PARTNER_FINANCIAL"}},
      {"technology", {"kTechnology", "COALITION_PARTNER_TECHNOLOGY"}},
      {"ngo", {"kNgo", "COALITION_PARTNER_NGO"}},
      {"coalition", {"kCoalition", "COALITION_PARTNER_COALITION"}}};
  auto partner = kPartners.find(options.partner_type);
  if (partner == kPartners.end()) {
    err << "coalition: --partner-type is financial, technology, ngo or coalition\n";
    return kExitUsage;
  }
  // The publisher lands in C and C++ string literals and in JSON: plain printable text only.
  static const std::regex kPublisher("[A-Za-z0-9 .,&()'_-]{1,80}");
  if (!std::regex_match(options.publisher, kPublisher)) {
    err << "coalition: --publisher is 1 to 80 letters, digits, spaces and .,&()'_- (no quotes "
           "or backslashes)\n";
    return kExitUsage;
  }
  std::error_code ec;
  // "out/" and "out" are one place; "." and ".." are not a project's own folder.
  fs::path dir = options.dir.empty() ? fs::path(options.name) : fs::path(options.dir);
  dir = dir.lexically_normal();
  if (!dir.has_filename() && dir.has_parent_path()) dir = dir.parent_path();
  if (dir.empty() || dir.filename() == "." || dir.filename() == "..") {
    err << "coalition: --dir must name the project's own folder, not '" << options.dir << "'\n";
    return kExitUsage;
  }
  if (fs::exists(dir, ec) && !(fs::is_directory(dir, ec) && fs::is_empty(dir, ec))) {
    err << "coalition: " << dir.string() << " exists and is not an empty directory; choose "
        << "another with --dir\n";
    return kExitConflict;
  }
  const bool c = options.lang == "c";
  const std::string source = "src/" + options.name + (c ? ".c" : ".cc");
  // No value holds a placeholder: each is replaced once, in the map's order.
  const std::map<std::string, std::string> values{
      {"@IN_C@", c ? " in plain C" : ""},
      {"@LANGUAGE@", c ? "C" : "CXX"},
      {"@SOURCE@", source},
      {"@STANDARD@", c ? "set_target_properties(" + options.name +
                             " PROPERTIES C_STANDARD 99 C_STANDARD_REQUIRED ON)"
                       : "target_compile_features(" + options.name + " PRIVATE cxx_std_20)"},
      {"@ID@", options.name},
      {"@PUBLISHER@", options.publisher},
      {"@PARTNER_CPP@", partner->second.first},
      {"@PARTNER_C@", partner->second.second},
      {"@SDK_VERSION@",
       std::string(kCoalitionVersion).substr(0, std::string(kCoalitionVersion).rfind('.'))},
      {"@LANG@", c ? "plain C" : "C++"}};
  const std::vector<std::pair<std::string, const char*>> files{{"CMakeLists.txt", kCMake},
                                                               {source, c ? kSourceC : kSourceCpp},
                                                               {"tests/cases.json", kCases},
                                                               {"README.md", kReadme},
                                                               {".gitignore", kGitignore}};

  // Written in a folder beside the destination, then renamed into place: the project appears
  // whole or not at all.
  const fs::path parent = fs::absolute(dir, ec).parent_path();
  const fs::path staging =
      parent / ("." + dir.filename().string() + ".new-" + std::to_string(::getpid()));
  auto fail = [&](const std::string& what) {
    fs::remove_all(staging, ec);
    err << "coalition: cannot write " << what << "\n";
    return kExitIoError;
  };
  if (!fs::create_directories(staging / "src", ec) ||
      !fs::create_directories(staging / "tests", ec)) {
    return fail(staging.string() + ": " + ec.message());
  }
  for (const auto& [name, text] : files) {
    if (!write_text(staging / name, fill(text, values))) return fail((dir / name).string());
  }
  fs::rename(staging, dir, ec);  // over an empty directory too
  if (ec) return fail(dir.string() + ": " + ec.message());

  out << "Created " << dir.string() << "/ — a " << (c ? "plain C" : "C++") << " plugin '"
      << options.name << "' with one step type, " << options.name << ".acknowledge:\n";
  for (const auto& [name, text] : files) out << "  " << name << "\n";
  out << "Build and test it against an installed Coalition:\n"
      << "  cmake -S " << dir.string() << " -B " << (dir / "build").string()
      << " -DCMAKE_PREFIX_PATH=<where Coalition is installed>\n"
      << "  cmake --build " << (dir / "build").string() << " && ctest --test-dir "
      << (dir / "build").string() << " --output-on-failure\n";
  return kExitOk;
}

Command plugin_new_command() {
  return make_command<PluginNewOptions>(
      {.path = "plugin new",
       .help = "Scaffold an out-of-tree plugin project (sources, CMake, test cases, README)",
       .needs = Needs::kNothing,
       .define =
           [](CommandOptions& c, PluginNewOptions& o) {
             CLI::App& app = c.app();
             app.add_option("NAME", o.name, "The plugin id ([a-z][a-z0-9_]*)")->required();
             app.add_option("--lang", o.lang, "cpp (default) or c")
                 ->check(CLI::IsMember({"cpp", "c"}));
             app.add_option("--dir", o.dir, "Where to create it (default: ./NAME)");
             app.add_option("--publisher", o.publisher, "The organisation that publishes it");
             app.add_option("--partner-type", o.partner_type,
                            "financial, technology (default), ngo or coalition")
                 ->check(CLI::IsMember({"financial", "technology", "ngo", "coalition"}));
           },
       .run = [](const PluginNewOptions& o,
                 const CommandContext& c) { return run_plugin_new_command(o, *c.out, *c.err); }});
}

}  // namespace coalition::cli
