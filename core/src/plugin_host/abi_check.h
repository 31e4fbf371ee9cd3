// Checks a plugin descriptor against this engine before the engine relies on any of it.
#ifndef COALITION_PLUGIN_HOST_ABI_CHECK_H_
#define COALITION_PLUGIN_HOST_ABI_CHECK_H_

#include <coalition/plugin_abi.h>

#include <string>

#include "common/result.h"

namespace coalition {

// The four fixed fields, in order: magic, major, minor (plugin minor <= host minor), then
// struct_size (at least the ABI 1.0 size). Reads nothing else. A refusal is one sentence that
// names the file and both sides' versions. `source` names the library for messages.
Status check_descriptor_header(const coalition_plugin_descriptor_t* descriptor,
                               const std::string& source);

// The rest of the descriptor: id, version, publisher, partner type, and every step type's
// struct size, name, schema text and functions. Precondition: the header check passed.
Status check_descriptor_body(const coalition_plugin_descriptor_t& descriptor,
                             const std::string& source);

// The step type's answer schema text (ABI 1.2), or null when its struct predates the field.
const char* answer_schema_of(const coalition_step_type_t& type);

// True for names of the form [a-z][a-z0-9_]* with dots between segments.
bool is_valid_step_type_name(const std::string& name);
// True for a plugin id: [a-z][a-z0-9_]*.
bool is_valid_plugin_id(const std::string& id);
// True for a semantic version MAJOR.MINOR.PATCH[-pre][+build] (semver.org 2.0.0).
bool is_semantic_version(const std::string& version);

}  // namespace coalition

#endif  // COALITION_PLUGIN_HOST_ABI_CHECK_H_
