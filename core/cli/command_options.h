// CommandOptions: how a command declares its options (cli/command.h). Beside adding them to the
// command's CLI11 subcommand, it remembers what main.cc checks the same way for every command
// once the line is parsed: the words that end up in the audit log and in printed timelines (one
// line of valid UTF-8, a bounded length), the ones that name people (never an image or video),
// and the ones that only make sense against a store at the engine's terminal (refused with
// --server, where the credential says who acts and the server keeps its store and clock).
#ifndef COALITION_CLI_COMMAND_OPTIONS_H_
#define COALITION_CLI_COMMAND_OPTIONS_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "app/session.h"

namespace CLI {
class App;
class Option;
}  // namespace CLI

namespace coalition::cli {

// A text option checked after parsing.
struct TextOption {
  std::string option;  // "--as", "EXECUTION"
  const std::string* text = nullptr;
  size_t max_bytes = 0;
  bool names_someone = false;  // --as, --role, --org, --view: scanned for media
};

class CommandOptions {
 public:
  explicit CommandOptions(CLI::App& app) : app_(&app) {}

  // The subcommand, for options of other kinds (flags, numbers, lists, choices).
  CLI::App& app() const { return *app_; }

  // A name or an id (a positional when `option` has no leading dash): at most kMaxNameBytes.
  CLI::Option* name(const std::string& option, std::string& into, const std::string& help);
  // A name that names someone or their role or organisation, here a filter or an actor: also
  // scanned for images and video.
  CLI::Option* person(const std::string& option, std::string& into, const std::string& help);
  // A justification or a reason: at most kMaxReasonBytes.
  CLI::Option* reason(const std::string& option, std::string& into, const std::string& help);
  CLI::Option* json(bool& into, const std::string& help = "Print JSON");

  // --as, --role and --org: who acts at the engine's terminal. --as and --org are refused with
  // --server; --role says which of the credential's roles is meant, so it stays.
  void acting(std::string& actor, std::string& role, std::string& organisation,
              const std::string& as_help = "Who acts (a person's id; not with --server)");
  // --view ROLE: only what that role may see. Refused with --server.
  CLI::Option* view(std::string& into, const std::string& help);
  // --store FILE. Refused with --server.
  CLI::Option* store(std::string& into);
  // --now INSTANT: virtual time (or, with another help, the instant a read judges at). Refused
  // with --server.
  CLI::Option* now(std::string& into, const std::string& help = kNowHelp);
  // Marks `option` as one that only works against a store; returns it.
  CLI::Option* local_only(CLI::Option* option);
  // --store and --now together.
  void session(app::SessionOptions& into);

  const std::vector<TextOption>& texts() const { return texts_; }
  // The text `option` ("--as", "EXECUTION") was parsed into; null when the command has none.
  const std::string* text_of(std::string_view option) const;
  // The options given on this line that only work against a store.
  std::vector<std::string> local_only_given() const;

  static constexpr const char* kNowHelp =
      "Virtual time: act as if it were this RFC 3339 instant (2026-03-02T09:00:00Z)";

 private:
  CLI::Option* text(const std::string& option, std::string& into, const std::string& help,
                    size_t max_bytes, bool names_someone);

  CLI::App* app_;
  std::vector<TextOption> texts_;
  std::vector<CLI::Option*> local_only_;
};

}  // namespace coalition::cli

#endif  // COALITION_CLI_COMMAND_OPTIONS_H_
