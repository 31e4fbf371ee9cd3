// The command table (cli/command_table.h): every entry can be put on a command line, the rules
// main.cc applies read what the entries declare, and each command keeps its own options.
#include "cli/command_table.h"

#include <gtest/gtest.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <map>
#include <memory>
#include <set>

#include "cli/command_options.h"
#include "cli/execution_commands.h"

namespace coalition::cli {
namespace {

// The table on a CLI11 app, as main.cc builds it.
struct DefinedTable {
  CLI::App app{"test", "coalition"};
  std::vector<DefinedCommand> defined = define_commands(app);

  const DefinedCommand& command(const std::string& path) const {
    for (const DefinedCommand& d : defined) {
      if (d.command.path == path) return d;
    }
    ADD_FAILURE() << "no command " << path;
    return defined.front();
  }
  const std::string* text(const std::string& path, const std::string& option) const {
    return command(path).options->text_of(option);
  }
  void parse(std::vector<std::string> args) {
    std::reverse(args.begin(), args.end());  // CLI11 takes them last first
    app.parse(args);
  }
};

TEST(CommandTable, EveryCommandHasOnePathAKnownGroupAndHelp) {
  std::set<std::string> paths;
  std::set<std::string> groups;
  for (const CommandGroup& g : command_groups()) groups.insert(g.name);
  std::set<std::string> used_groups;
  for (const Command& command : command_table()) {
    EXPECT_TRUE(paths.insert(command.path).second) << command.path << " twice";
    EXPECT_FALSE(command.help.empty()) << command.path;
    EXPECT_TRUE(command.run) << command.path;
    if (const auto space = command.path.find(' '); space != std::string::npos) {
      EXPECT_EQ(groups.count(command.path.substr(0, space)), 1u) << command.path;
      used_groups.insert(command.path.substr(0, space));
    }
  }
  EXPECT_EQ(used_groups, groups);
  EXPECT_EQ(paths.size(), 45u);
}

TEST(CommandTable, EveryEntryDefinesItsOptionsWithoutAClash) {
  // CLI11 throws on an option defined twice on one command.
  EXPECT_NO_THROW({ DefinedTable table; });
}

TEST(CommandTable, TwoWordPathsGoUnderTheirGroupWhichNeedsOneOfThem) {
  DefinedTable table;
  const CLI::App* audit = table.app.get_subcommand("audit");
  ASSERT_NE(audit, nullptr);
  EXPECT_EQ(table.command("audit verify").app->get_parent(), audit);
  EXPECT_EQ(table.command("status").app->get_parent(), &table.app);
  EXPECT_THROW(table.parse({"audit"}), CLI::RequiredError);
}

// The commands that work through a server are part of the CLI's contract (docs/cli.md).
TEST(CommandTable, TheCommandsThatWorkThroughAServer) {
  std::set<std::string> remote;
  for (const Command& command : command_table()) {
    if (command.remote) remote.insert(command.path);
  }
  EXPECT_EQ(remote, (std::set<std::string>{"start", "tasks", "executions", "complete", "signal",
                                           "extend", "claim", "release", "reassign", "cancel",
                                           "retry", "status", "history", "timeline", "export",
                                           "purge", "hold", "audit verify", "migrate"}));
}

// Whoever a command names at the terminal, it has the options to name them with.
TEST(CommandTable, ACommandThatMustNameSomeoneHasTheirOptions) {
  DefinedTable table;
  size_t naming = 0;
  for (const DefinedCommand& d : table.defined) {
    const Command& command = d.command;
    if (command.naming == Naming::kNobody) continue;
    ++naming;
    EXPECT_NE(table.text(command.path, "--as"), nullptr) << command.path;
    if (command.naming == Naming::kActorAndRole) {
      EXPECT_NE(table.text(command.path, "--role"), nullptr) << command.path;
    }
  }
  EXPECT_EQ(naming, 9u);  // complete extend hold claim reassign; cancel retry release migrate
}

TEST(CommandTable, EachCommandKeepsItsOwnOptions) {
  DefinedTable table;
  table.parse({"status", "ex-1", "--view", "member_reviewer"});
  ASSERT_NE(table.text("status", "EXECUTION"), nullptr);
  EXPECT_EQ(*table.text("status", "EXECUTION"), "ex-1");
  EXPECT_EQ(*table.text("status", "--view"), "member_reviewer");
  // history and timeline take the same options, in instances of their own.
  EXPECT_EQ(*table.text("history", "EXECUTION"), "");
  EXPECT_EQ(*table.text("timeline", "--view"), "");
}

TEST(CommandTable, OptionsForAStoreAreKnownAsSuch) {
  DefinedTable table;
  table.parse({"complete", "t-1", "--as", "rev.ada", "--role", "reviewer", "--store", "x.db",
               "--now", "2026-03-02T09:00:00Z"});
  const CommandOptions& complete = *table.command("complete").options;
  EXPECT_EQ(complete.local_only_given(), (std::vector<std::string>{"--as", "--store", "--now"}));
  // --role says which of a credential's roles is meant: it works through a server.
  const auto role = std::find_if(complete.texts().begin(), complete.texts().end(),
                                 [](const TextOption& t) { return t.option == "--role"; });
  ASSERT_NE(role, complete.texts().end());
  EXPECT_TRUE(role->names_someone);
}

TEST(CommandTable, ExecutionsOrgIsAFilterNotAnIdentity) {
  DefinedTable table;
  table.parse({"executions", "--org", "northbank"});
  EXPECT_TRUE(table.command("executions").options->local_only_given().empty());
}

TEST(CommandTable, TheChecksOfACommandReadItsParsedOptions) {
  DefinedTable table;
  table.parse({"reassign", "t-1", "--to", "rev.bo", "--justification", "leave", "--as", "lead.li",
               "--role", "lead"});
  const Command& reassign = table.command("reassign").command;
  ASSERT_TRUE(reassign.check);
  EXPECT_FALSE(reassign.check(false));  // here, --to-role names the role they would act in
  EXPECT_TRUE(reassign.check(true));    // a server finds it from the person's credential
}

}  // namespace
}  // namespace coalition::cli
