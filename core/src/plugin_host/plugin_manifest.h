// PluginManifest: what an installed plugin declares, read from the file beside its library
// (<id>.plugin.json) without running any of its code.
//
// The engine lists, validates against and describes plugins from their manifests alone; a
// plugin's code is loaded only when one of its steps runs, and must then declare exactly what
// its manifest says (check_code_matches). The manifest also carries the SHA-256 of the library,
// so a lock file or a publisher's signature over the manifest pins the code that may be loaded.
//
// The document (format "coalition.plugin-manifest/1"):
//   {"format", "id", "version", "publisher", "description",
//    "partner_type": "financial" | "technology" | "ngo" | "coalition",
//    "abi": {"major", "minor"}, "library": "lib<id>.so", "sha256": "<64 hex>",
//    -- or, for an exec plugin (a program: exec_protocol.h), instead of "abi" and "library":
//    "exec": {"program": "<id>[.<extension>]", "interpreter"?: "/absolute/path"},
//    with "sha256" the program's,
//    "step_types": [{"name", "description",
//                    "capabilities": ["idempotent" | "thread_safe" | "may_suspend" |
//                                     "non_blocking", ...],
//                    "parameters_schema": {...}, "input_schema"?: {...},
//                    "output_schema"?: {...}, "answer_schema"?: {...}}]}
// `coalition plugin manifest LIBRARY` writes it from the library's own descriptor (and
// `coalition plugin manifest --exec PROGRAM` from a program's description).
#ifndef COALITION_PLUGIN_HOST_PLUGIN_MANIFEST_H_
#define COALITION_PLUGIN_HOST_PLUGIN_MANIFEST_H_

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/result.h"
#include "plugin_host/plugin_info.h"
#include "plugin_host/step_type_declaration.h"

namespace coalition {

inline constexpr std::string_view kManifestFormat = "coalition.plugin-manifest/1";

struct PluginManifest {
  std::filesystem::path file;     // the manifest itself
  std::filesystem::path library;  // the code file it describes, beside it: library or program
  PluginInfo info;                // info.source is the code file; info.step_types their names
  std::string library_sha256;     // of the code file, lower-case hex, as the manifest states it
  std::string manifest_sha256;    // of the manifest's bytes
  std::vector<StepTypeDeclaration> step_types;
  PluginKind kind = PluginKind::kLibrary;
  std::filesystem::path interpreter;  // an exec plugin's, when it names one

  PluginCodeFile code() const { return PluginCodeFile{library, kind, interpreter}; }
};

// What a plugin declares about itself, as a manifest or an exec program's description holds
// it: id, version, publisher, description, partner type and step types (info.abi_*, source,
// isolation and digest are left empty).
struct PluginDeclaration {
  PluginInfo info;
  std::vector<StepTypeDeclaration> step_types;
};

// True for a SHA-256 written as 64 lower-case hex digits, as manifests and locks hold them.
bool is_sha256_hex(std::string_view text);

// "<id>.plugin.json" in the library's directory, for lib<id>.so.
std::filesystem::path manifest_path_of(const std::filesystem::path& library);

// Reads the declaration in `doc` ("id", "version", "publisher", "description", "partner_type",
// "step_types", as in a manifest; other members are not looked at). Refuses (kPluginLoad)
// naming `source` and the JSON Pointer of the first problem. Never throws.
Result<PluginDeclaration> read_plugin_declaration(const nlohmann::json& doc,
                                                  const std::string& source);

// Reads the manifest `text` of file `file`. Refuses (kPluginLoad) with the file and the JSON
// Pointer of the first problem: a missing or mistyped field, an id that is not the code
// file's name, a version that is not semantic, a library other than lib<id>.so, an ABI this engine
// cannot load, a step type declared twice, a capability it does not know. Never throws.
Result<PluginManifest> parse_plugin_manifest(std::string_view text,
                                             const std::filesystem::path& file);

// The manifest (indented JSON text) of a code file with digest `library_sha256` whose code
// declares `info` and `step_types`; for an exec plugin (info.kind), `code` names its program
// and interpreter. Fails when a declared schema is not JSON.
Result<std::string> manifest_text(const PluginInfo& info,
                                  const std::vector<StepTypeDeclaration>& step_types,
                                  const std::string& library_sha256,
                                  const PluginCodeFile& code = {});

// OK when the loaded code declares exactly what `manifest` says (id, version, publisher,
// description, partner type, ABI, and each step type with its capabilities and schemas, in
// order); otherwise one sentence naming the manifest, the library and the first difference.
Status check_code_matches(const PluginManifest& manifest, const PluginInfo& code,
                          const std::vector<StepTypeDeclaration>& step_types);

}  // namespace coalition

#endif  // COALITION_PLUGIN_HOST_PLUGIN_MANIFEST_H_
