// coalition doctor [--json]: what protects this installation on this machine, for an operator
// to check after an install or a kernel upgrade — how plugin hosts are confined (Landlock, its
// ABI; resource limits; what they inherit), whether the host program is there, the plugin
// directories and what the installation refused, and the store's place. Runs no plugin code.
#ifndef COALITION_CLI_DOCTOR_COMMAND_H_
#define COALITION_CLI_DOCTOR_COMMAND_H_

#include <ostream>

#include "app/installation.h"
#include "cli/command.h"

namespace coalition::cli {

// 0 when isolated plugins can run as configured; 78 when they cannot (no host program) or a
// plugin was refused. Everything found is printed either way.
int run_doctor_command(bool as_json, const app::Installation& installation, std::ostream& out,
                       std::ostream& err);

struct DoctorOptions {
  bool json = false;
};

Command doctor_command();

}  // namespace coalition::cli

#endif  // COALITION_CLI_DOCTOR_COMMAND_H_
