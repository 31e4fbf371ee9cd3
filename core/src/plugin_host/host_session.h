// The plugin host's side of the protocol: what `coalition-plugin-host` does once started.
//
// The load document (JSON, the first frame): {"protocol": 1, "plugin_id", "library" (or
// "exec": {"program", "interpreter"} for an exec plugin, exec_protocol.h),
// "config" (the plugin's configuration object), "calendars" (a directory or ""), "threads",
// "output_bytes", and optionally "sha256" (the library must have this digest; it is then
// loaded from a sealed copy) with "sha256_expected_by" (who expects it, for the refusal)}. The
// describe document it answers: {"protocol": 1, "plugin": {"id", "version", "publisher",
// "description", "partner_type", "abi_major", "abi_minor"}, "kind"? ("exec", with ABI 0.0, for
// an exec plugin), "step_types": [{"name", "description",
// "capabilities", "parameters_schema", "input_schema", "output_schema"}]} — the schemas as the
// plugin's own text (or null).
#ifndef COALITION_PLUGIN_HOST_HOST_SESSION_H_
#define COALITION_PLUGIN_HOST_HOST_SESSION_H_

#include "plugin_host/library_loader.h"

namespace coalition {

// How a host ends when it was not the plugin that made it end: the engine broke the protocol,
// or an exec plugin's program did (the host then stops it; the engine's log says why).
inline constexpr int kHostExitProtocol = 70;
inline constexpr int kHostExitExecProtocol = 71;

// Reads the load frame from `fd`, loads the plugin (its library through `libraries`, the same
// ABI checks as in process, its id must be the library's name), sends the describe document
// or the reason it refused, then runs calls — up to `threads` at once, each step type's
// instance serialized unless it is thread-safe — and sends each raw answer back, until end of
// file on `fd`. Plugin log lines go back as log frames. An exec plugin's program is started
// instead and spoken to one call at a time (exec_program.h); when it ends, the host ends the
// same way. Returns the process's exit status: 0 at end of file or after a refusal,
// kHostExitProtocol when the engine broke the protocol.
int run_plugin_host(int fd, LibraryLoader& libraries);

}  // namespace coalition

#endif  // COALITION_PLUGIN_HOST_HOST_SESSION_H_
