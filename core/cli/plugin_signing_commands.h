// What a publisher and an operator do to make partner plugins trustworthy
// (plugin_host/plugin_trust.h):
//   coalition plugin keygen KEYFILE            a publisher's Ed25519 key (0600) and its public key
//   coalition plugin sign MANIFEST --key FILE   <id>.plugin.sig beside the manifest
//   coalition plugin lock [--out FILE]          plugins.lock pinning every installed partner plugin
#ifndef COALITION_CLI_PLUGIN_SIGNING_COMMANDS_H_
#define COALITION_CLI_PLUGIN_SIGNING_COMMANDS_H_

#include <ostream>
#include <string>

#include "cli/command.h"
#include "config/engine_config.h"

namespace coalition::cli {

struct PluginKeygenOptions {
  std::string key_file;  // the key to create
};

struct PluginSignOptions {
  std::string manifest;
  std::string key_file;  // the key to sign with
};

struct PluginLockOptions {
  std::string out;  // where to write (default: plugins.lock of the configuration)
};

// Creates the key (refusing to replace one) and prints its public key with the configuration
// that trusts it. 0, or 73 when the file exists, 74 when it cannot be written.
int run_plugin_keygen_command(const PluginKeygenOptions& options, std::ostream& out,
                              std::ostream& err);

// Checks that MANIFEST is a manifest, then writes its signature beside it. 0, 65 for a file
// that is not a manifest, 78 for a key that cannot be used.
int run_plugin_sign_command(const PluginSignOptions& options, std::ostream& out, std::ostream& err);

// Pins every partner plugin the configuration would find (by manifest, running no plugin
// code) that its publisher's signature admits. 0, 64 without a place to write, 78 when some
// plugin could not be pinned (the others are).
int run_plugin_lock_command(const PluginLockOptions& options, const EngineConfig& config,
                            std::ostream& out, std::ostream& err);

Command plugin_keygen_command();
Command plugin_sign_command();
Command plugin_lock_command();

}  // namespace coalition::cli

#endif  // COALITION_CLI_PLUGIN_SIGNING_COMMANDS_H_
