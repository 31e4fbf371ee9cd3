#include "cli/doctor_command.h"

#include <CLI/CLI.hpp>
#include "cli/command_options.h"

#include <sys/prctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>
#include <cerrno>
#include <chrono>
#include <nlohmann/json.hpp>

#include "app/installation.h"
#include "calendar/business_calendar.h"
#include "cli/exit_code.h"
#include "plugin_host/host_launcher.h"
#include "plugin_host/host_sandbox.h"

namespace coalition::cli {
namespace {

// One fact: its name, whether it is as it should be, and what it is.
struct Finding {
  std::string area;
  std::string name;
  bool ok = true;
  std::string text;
};

std::string directory_state(const std::filesystem::path& dir, bool* ok) {
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0) return "does not exist (nothing is found there)";
  if (!S_ISDIR(st.st_mode)) {
    *ok = false;
    return "is not a directory";
  }
  if ((st.st_mode & S_IWOTH) != 0) {
    *ok = false;
    return "anyone may write to it: every plugin in it is refused";
  }
  return "present";
}

std::vector<Finding> examine(const app::Installation& inst) {
  std::vector<Finding> found;
  const PluginIsolationConfig& isolation = inst.config.plugin_isolation;
  const PluginHostLimits& host = isolation.host;

  std::string why;
  const int abi = landlock_abi(&why);
  Finding landlock{"isolation", "landlock", true, ""};
  if (!host.sandbox) {
    landlock.text = abi > 0 ? fmt::format(
                                  "available (ABI {}) but turned off by "
                                  "plugins.host.sandbox: hosts run unconfined",
                                  abi)
                            : "turned off by plugins.host.sandbox (and " + why + ")";
  } else if (abi > 0) {
    landlock.text = fmt::format(
        "ABI {}: each plugin host reads only system files, its plugin's directory and what "
        "plugins.host.paths grants, and writes only what it grants",
        abi);
  } else {
    landlock.text = why + ": plugin hosts run unconfined (resource limits still apply)";
  }
  found.push_back(landlock);
  found.push_back({"isolation", "signals", true,
                   host.sandbox && abi >= 6
                       ? "hosts cannot signal the engine or other processes outside their domain"
                       : "hosts may signal other processes of the engine's user (needs Landlock "
                         "ABI 6, Linux 6.12)"});
  found.push_back(
      {"isolation", "limits", true,
       fmt::format("address space {} MiB, CPU {} s, {} open files, no core dumps; a host dies "
                   "with the engine (PR_SET_PDEATHSIG), inherits no descriptors and none of the "
                   "engine's environment",
                   host.address_space_mb, host.cpu_seconds, host.open_files)});
  const int seccomp = ::prctl(PR_GET_SECCOMP, 0, 0, 0, 0);
  found.push_back({"isolation", "seccomp", true,
                   seccomp >= 0 ? "available in this kernel; not used (Landlock and the limits "
                                  "above confine hosts)"
                                : "not available in this kernel; not used"});
  const std::filesystem::path program =
      isolation.host_program.empty() ? default_host_program() : isolation.host_program;
  const bool runnable = ::access(program.c_str(), X_OK) == 0;
  found.push_back({"isolation", "host program", runnable,
                   program.string() + (runnable ? ""
                                                : ": missing or not executable — isolated "
                                                  "plugins cannot run")});

  size_t isolated = 0;
  size_t in_process = 0;
  for (const auto& p : inst.registry.plugins()) {
    (p.isolation == Isolation::kIsolated ? isolated : in_process) += 1;
  }
  found.push_back({"plugins", "installed", true,
                   fmt::format("{} isolated, {} in process", isolated, in_process)});
  for (const auto& dir : inst.plugin_directories) {
    bool ok = true;
    std::string state = directory_state(dir, &ok);
    found.push_back({"plugins", "directory", ok, dir.string() + ": " + state});
  }
  for (const auto& error : inst.plugin_errors) {
    found.push_back({"plugins", "refused", false, error.message()});
  }
  // Calendars: a business-day count outside a calendar's coverage fails its step, so say how
  // long each one lasts (by the wall clock: doctor looks at this machine now).
  if (!inst.config.calendar_directory.empty()) {
    auto calendars = app::load_calendars(inst.config);
    if (!calendars) {
      found.push_back({"calendars", "refused", false, calendars.error().message()});
    } else {
      const auto today = std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now());
      const int year = int(std::chrono::year_month_day(today).year());
      for (const BusinessCalendar* c : calendars->all()) {
        const int64_t end = std::chrono::sys_days(std::chrono::year{c->last_year()} / 12 / 31)
                                .time_since_epoch()
                                .count();
        const int64_t left = end - today.time_since_epoch().count();
        std::string text =
            fmt::format("{}: covers {} to {}", c->id(), c->first_year(), c->last_year());
        const bool ok = year >= c->first_year() && year <= c->last_year();
        if (!ok) {
          text +=
              ", not this year: every business-day deadline under it fails until it is "
              "extended";
        } else if (left < 180) {
          text +=
              fmt::format(" (ends in {} days: extend it before deadlines reach past it)", left + 1);
        }
        found.push_back({"calendars", "calendar", ok, text});
      }
    }
  }
  const std::filesystem::path store = inst.config.store_path;
  if (store == ":memory:") {
    found.push_back({"store", "path", true, ":memory: (nothing kept)"});
    return found;
  }
  const std::filesystem::path folder =
      store.has_parent_path() ? store.parent_path() : std::filesystem::path(".");
  const bool writable = ::access(folder.c_str(), W_OK) == 0 || ::access(folder.c_str(), F_OK) != 0;
  found.push_back({"store", "path", writable,
                   store.string() + (writable ? "" : ": its folder is not writable")});
  return found;
}

}  // namespace

int run_doctor_command(bool as_json, const app::Installation& installation, std::ostream& out,
                       std::ostream& /*err*/) {
  const std::vector<Finding> found = examine(installation);
  bool healthy = true;
  for (const auto& f : found) healthy = healthy && f.ok;
  if (as_json) {
    nlohmann::json doc{{"healthy", healthy}, {"findings", nlohmann::json::array()}};
    for (const auto& f : found) {
      doc["findings"].push_back(
          {{"area", f.area}, {"name", f.name}, {"ok", f.ok}, {"text", f.text}});
    }
    std::string abi_why;
    doc["landlock_abi"] = landlock_abi(&abi_why);
    doc["sandbox"] = installation.config.plugin_isolation.host.sandbox;
    out << doc.dump(2) << "\n";
  } else {
    std::string area;
    for (const auto& f : found) {
      if (f.area != area) {
        area = f.area;
        out << area << "\n";
      }
      out << fmt::format("  {:<13} {}{}\n", f.name, f.ok ? "" : "PROBLEM: ", f.text);
    }
    out << (healthy ? "No problems found.\n" : "Problems found: see PROBLEM above.\n");
  }
  return healthy ? kExitOk : kExitConfig;
}

namespace {

void define_doctor(CommandOptions& c, DoctorOptions& o) {
  c.json(o.json, "Print JSON instead of text");
}

}  // namespace

Command doctor_command() {
  return make_command<DoctorOptions>(
      {.path = "doctor",
       .help = "Report how plugin hosts are confined on this machine, and installation problems",
       .define = define_doctor,
       .run = [](const DoctorOptions& o, const CommandContext& c) {
         return run_doctor_command(o.json, *c.installation, *c.out, *c.err);
       }});
}

}  // namespace coalition::cli
