#include "config/engine_config.h"

#include <gtest/gtest.h>

namespace coalition {
namespace {

TEST(EngineConfig, DefaultsWhenSectionsAreAbsent) {
  auto config = parse_engine_config("{}", "/etc/coalition");
  ASSERT_TRUE(config.ok());
  EXPECT_TRUE(config->builtin_plugins);
  EXPECT_TRUE(config->plugin_directories.empty());
  EXPECT_EQ(config->log_level, LogLevel::kInfo);
  EXPECT_EQ(config->log_format, LogFormat::kText);
}

// store.node: what a node is called and its timings; a name that could be a path or carry
// other text, or a lease shorter than a second, is refused with its pointer.
TEST(EngineConfig, StoreNodeSettingsAreReadAndBoundedWithTheirPointer) {
  auto config = parse_engine_config(
      R"({"store": {"node": {"name": "node-a", "lease": "PT4S", "busy_wait": "PT2S",
                             "poll": "PT0.5S"}}})",
      "/etc/coalition");
  ASSERT_TRUE(config.ok()) << config.error().message();
  EXPECT_EQ(config->store_node.name, "node-a");
  EXPECT_EQ(config->store_node.lease, std::chrono::milliseconds(4000));
  EXPECT_EQ(config->store_node.busy_wait, std::chrono::milliseconds(2000));
  EXPECT_EQ(config->store_node.poll, std::chrono::milliseconds(500));
  for (const char* doc :
       {R"({"store": {"node": {"name": "../etc"}}})", R"({"store": {"node": {"name": "a b"}}})",
        R"({"store": {"node": {"extra": 1}}})"}) {
    auto refused = parse_engine_config(doc, "/etc/coalition");
    ASSERT_FALSE(refused.ok()) << doc;
    EXPECT_EQ(refused.error().code(), ErrorCode::kConfiguration);
    EXPECT_EQ(refused.error().pointer().rfind("/store/node", 0), 0u) << refused.error().pointer();
  }
  auto short_lease =
      parse_engine_config(R"({"store": {"node": {"lease": "PT0.2S"}}})", "/etc/coalition");
  ASSERT_FALSE(short_lease.ok());
  EXPECT_EQ(short_lease.error().pointer(), "/store/node/lease");
  auto not_a_duration =
      parse_engine_config(R"({"store": {"node": {"poll": "soon"}}})", "/etc/coalition");
  ASSERT_FALSE(not_a_duration.ok());
  EXPECT_EQ(not_a_duration.error().pointer(), "/store/node/poll");
}

TEST(EngineConfig, RelativePluginDirectoriesFollowTheFile) {
  auto config = parse_engine_config(
      R"({"plugins": {"directories": ["partners", "/opt/coalition/plugins"], "builtin": false,
          "config": {"notify": {"outbox": "out"}}},
          "engine": {"scheduler_threads": 3, "plugin_threads": 16},
          "log": {"level": "debug", "format": "json"}})",
      "/etc/coalition");
  ASSERT_TRUE(config.ok()) << config.error().to_string();
  ASSERT_EQ(config->plugin_directories.size(), 2u);
  EXPECT_EQ(config->plugin_directories[0], "/etc/coalition/partners");
  EXPECT_EQ(config->plugin_directories[1], "/opt/coalition/plugins");
  EXPECT_FALSE(config->builtin_plugins);
  EXPECT_EQ(config->plugin_configs["notify"]["outbox"], "out");
  EXPECT_EQ(config->log_level, LogLevel::kDebug);
  EXPECT_EQ(config->log_format, LogFormat::kJson);
  EXPECT_EQ(config->scheduler_threads, 3u);
  EXPECT_EQ(config->plugin_threads, 16u);
}

TEST(EngineConfig, PluginTrustIsReadWithTheLockBesideTheFile) {
  const std::string key(64, 'a');
  auto config = parse_engine_config(
      R"j({"plugins": {"lock": "plugins.lock", "require_signatures": true,
          "publishers": {"Fabrikam Payments (fictional)": [")j" +
          key + R"j("], "Nobody": []}}})j",
      "/etc/coalition");
  ASSERT_TRUE(config.ok()) << config.error().to_string();
  const PluginTrustConfig& trust = config->plugin_trust;
  EXPECT_EQ(trust.lock_file, "/etc/coalition/plugins.lock");
  EXPECT_TRUE(trust.require_signatures);
  ASSERT_EQ(trust.publishers.size(), 2u);
  EXPECT_EQ(trust.publishers.at("Fabrikam Payments (fictional)"), std::vector<std::string>{key});
  EXPECT_TRUE(trust.publishers.at("Nobody").empty());

  auto defaults = parse_engine_config("{}", "/etc/coalition");
  ASSERT_TRUE(defaults.ok());
  EXPECT_TRUE(defaults->plugin_trust.lock_file.empty());
  EXPECT_FALSE(defaults->plugin_trust.require_signatures);

  auto short_key = parse_engine_config(
      R"j({"plugins": {"publishers": {"Fabrikam Payments (fictional)": ["abc"]}}})j", "/");
  ASSERT_FALSE(short_key.ok());
  EXPECT_EQ(short_key.error().pointer(), "/plugins/publishers/Fabrikam Payments (fictional)/0");
}

TEST(EngineConfig, NotificationsAreOffUntilTheSectionIsThere) {
  EXPECT_FALSE(parse_engine_config("{}", "/")->notifications.enabled);
  auto on = parse_engine_config(R"({"notifications": {}})", "/");
  ASSERT_TRUE(on.ok()) << on.error().message();
  EXPECT_TRUE(on->notifications.enabled);
  EXPECT_EQ(on->notifications.on.size(), kAllNotificationKinds.size());
  EXPECT_EQ(on->notifications.step_type, "notify");
  EXPECT_EQ(on->notifications.channel, "email");
  auto chosen = parse_engine_config(
      R"({"notifications": {"on": ["escalated", "deadline_expired"], "channel": 1,
          "max_attempts": 8, "retry_after": "PT5M"}})",
      "/");
  ASSERT_TRUE(chosen.ok()) << chosen.error().message();
  EXPECT_EQ(chosen->notifications.on,
            (std::vector<NotificationKind>{NotificationKind::kEscalated,
                                           NotificationKind::kDeadlineExpired}));
  EXPECT_EQ(chosen->notifications.channel, 1);
  EXPECT_EQ(chosen->notifications.max_attempts, 8u);
  EXPECT_EQ(chosen->notifications.retry_after, std::chrono::minutes(5));
  EXPECT_FALSE(
      parse_engine_config(R"({"notifications": {"enabled": false}})", "/")->notifications.enabled);
  auto typo = parse_engine_config(R"({"notifications": {"on": ["task_open"]}})", "/");
  ASSERT_FALSE(typo.ok());
  EXPECT_EQ(typo.error().pointer(), "/notifications/on/0");
  auto quick = parse_engine_config(R"({"notifications": {"retry_after": "PT0S"}})", "/");
  ASSERT_FALSE(quick.ok());
  EXPECT_EQ(quick.error().pointer(), "/notifications/retry_after");
}

TEST(EngineConfig, TheStoreIsAFileOrAPostgresDatabaseWithAJournalBesideTheFile) {
  auto config = parse_engine_config(
      R"({"store": {"path": "var/coalition.db", "synchronous": "NORMAL",
                    "url": "postgresql://coalition@db.example/coalition",
                    "journal": "var/node-1.journal"}})",
      "/etc/coalition");
  ASSERT_TRUE(config.ok()) << config.error().to_string();
  EXPECT_EQ(config->store_path, "/etc/coalition/var/coalition.db");
  EXPECT_EQ(config->store_synchronous, "NORMAL");
  EXPECT_EQ(config->store_url, "postgresql://coalition@db.example/coalition");
  EXPECT_EQ(config->store_journal, "/etc/coalition/var/node-1.journal");
  auto not_a_url = parse_engine_config(R"({"store": {"url": "db.example/coalition"}})", "/etc");
  ASSERT_FALSE(not_a_url.ok());
  EXPECT_EQ(not_a_url.error().pointer(), "/store/url");
}

TEST(EngineConfig, ThreadCountsAreBounded) {
  auto config = parse_engine_config(R"({"engine": {"plugin_threads": 0}})", "/");
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.error().pointer(), "/engine/plugin_threads");
}

TEST(EngineConfig, MisspeltKeyNamesItsPointer) {
  auto config = parse_engine_config(R"({"plugins": {"directorys": []}})", "/");
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.error().code(), ErrorCode::kConfiguration);
  EXPECT_EQ(config.error().pointer(), "/plugins");
}

TEST(EngineConfig, WrongValueNamesItsPointer) {
  auto config = parse_engine_config(R"({"log": {"level": "loud"}})", "/");
  ASSERT_FALSE(config.ok());
  EXPECT_EQ(config.error().pointer(), "/log/level");
}

TEST(EngineConfig, CheckpointPeriodAndMapConcurrencyAreReadAndBounded) {
  auto config = parse_engine_config(
      R"({"audit": {"checkpoint_every": "PT1H"}, "limits": {"map_concurrency": 50}})", "/");
  ASSERT_TRUE(config.ok()) << config.error().message();
  EXPECT_EQ(config->audit_checkpoint_every, std::chrono::hours(1));
  EXPECT_EQ(config->limits.execution.map_concurrency, 50u);
  EXPECT_FALSE(parse_engine_config("{}", "/")->audit_checkpoint_every.has_value());
  for (const char* every : {R"("PT0.5S")", R"("soon")", R"("")", "3600"}) {
    auto bad =
        parse_engine_config(std::string(R"({"audit": {"checkpoint_every": )") + every + "}}", "/");
    ASSERT_FALSE(bad.ok()) << every;
    EXPECT_EQ(bad.error().pointer(), "/audit/checkpoint_every") << every;
  }
  for (const char* n : {"0", "-1", "1000001", "\"many\""}) {
    auto bad =
        parse_engine_config(std::string(R"({"limits": {"map_concurrency": )") + n + "}}", "/");
    ASSERT_FALSE(bad.ok()) << n;
    EXPECT_EQ(bad.error().pointer(), "/limits/map_concurrency") << n;
  }
}

TEST(EngineConfig, MalformedJsonNamesThePosition) {
  auto config = parse_engine_config("{\"log\": }", "/");
  ASSERT_FALSE(config.ok());
  EXPECT_NE(config.error().message().find("line 1, column 9"), std::string::npos)
      << config.error().message();
}

}  // namespace
}  // namespace coalition
