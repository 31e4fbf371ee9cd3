// Exit codes of the coalition CLI, in the style of sysexits.h (docs/cli.md lists them).
#ifndef COALITION_CLI_EXIT_CODE_H_
#define COALITION_CLI_EXIT_CODE_H_

#include "common/error.h"

namespace coalition::cli {

enum ExitCode : int {
  kExitOk = 0,
  kExitUsage = 64,         // wrong command line
  kExitDataError = 65,     // invalid input data (workflow, parameters, answer)
  kExitNoInput = 66,       // an input file does not exist or cannot be read
  kExitUnavailable = 69,   // a needed service is unavailable
  kExitSoftware = 70,      // internal error: a bug in Coalition
  kExitConflict = 73,      // already exists (an id, a file, a workflow version): EX_CANTCREAT
  kExitIoError = 74,       // the operating system refused an I/O operation
  kExitTempFail = 75,      // try again later (the store is busy with another engine process)
  kExitNoPermission = 77,  // the actor may not do this (role, organisation, separation of duties)
  kExitConfig = 78,        // configuration or installation error (config file, plugins)
};

inline int exit_code_for(const Error& error) {
  switch (error.code()) {
    case ErrorCode::kInvalidArgument: return kExitUsage;
    case ErrorCode::kInvalidData: return kExitDataError;
    case ErrorCode::kNotFound: return kExitNoInput;
    case ErrorCode::kConfiguration:
    case ErrorCode::kPluginLoad: return kExitConfig;
    case ErrorCode::kConflict: return kExitConflict;
    case ErrorCode::kPermissionDenied:
    case ErrorCode::kUnauthenticated: return kExitNoPermission;
    case ErrorCode::kPluginContract: return kExitSoftware;
    case ErrorCode::kIo: return kExitIoError;
    case ErrorCode::kInternal:
    case ErrorCode::kEvicted: return kExitSoftware;
  }
  return kExitSoftware;
}

}  // namespace coalition::cli

#endif  // COALITION_CLI_EXIT_CODE_H_
