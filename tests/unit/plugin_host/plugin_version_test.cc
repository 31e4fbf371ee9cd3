#include "plugin_host/plugin_version.h"

#include <gtest/gtest.h>

namespace coalition {
namespace {

PluginVersion v(const char* text) {
  auto parsed = PluginVersion::parse(text);
  EXPECT_TRUE(parsed.has_value()) << text;
  return parsed.value_or(PluginVersion{});
}

bool meets(const char* requirement, const char* version) {
  auto r = VersionRequirement::parse(requirement);
  EXPECT_TRUE(r.ok()) << requirement;
  return r.ok() && r->satisfied_by(v(version));
}

TEST(PluginVersion, ParsesSemanticVersionsAndRefusesTheRest) {
  EXPECT_EQ(v("1.2.3").text(), "1.2.3");
  EXPECT_EQ(v("1.2.3-rc.1+build.7").text(), "1.2.3-rc.1");
  for (const char* bad : {"1.2", "1.2.3.4", "01.2.3", "1.2.x", "", "1.2.3-", "1.2.3-rc..1",
                          "1.2.3-01", "v1.2.3", "1.2.3+"}) {
    EXPECT_FALSE(PluginVersion::parse(bad).has_value()) << bad;
  }
}

TEST(PluginVersion, OrdersByPrecedence) {
  // semver.org §11's example chain.
  const char* chain[] = {"1.0.0-alpha",  "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta",
                         "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1",       "1.0.0",
                         "1.0.1",        "1.2.0",         "1.10.0",           "2.0.0"};
  for (size_t i = 0; i + 1 < std::size(chain); ++i) {
    EXPECT_LT(v(chain[i]), v(chain[i + 1])) << chain[i] << " < " << chain[i + 1];
  }
  EXPECT_EQ(v("1.2.3+a"), v("1.2.3+b"));  // build metadata has no order
}

TEST(VersionRequirement, CaretTildeExactAndAtLeast) {
  EXPECT_TRUE(meets("^1.2", "1.2.0"));
  EXPECT_TRUE(meets("^1.2", "1.9.7"));
  EXPECT_FALSE(meets("^1.2", "1.1.9"));
  EXPECT_FALSE(meets("^1.2", "2.0.0"));
  EXPECT_FALSE(meets("^1.2", "2.0.0-rc.1"));
  EXPECT_TRUE(meets("^0.3", "0.3.9"));
  EXPECT_FALSE(meets("^0.3", "0.4.0"));
  EXPECT_TRUE(meets("~1.2.3", "1.2.9"));
  EXPECT_FALSE(meets("~1.2.3", "1.3.0"));
  EXPECT_FALSE(meets("~1.2.3", "1.2.2"));
  EXPECT_TRUE(meets("1.2.3", "1.2.3"));
  EXPECT_TRUE(meets("=1.2.3", "1.2.3"));
  EXPECT_FALSE(meets("1.2.3", "1.2.4"));
  EXPECT_TRUE(meets(">=1.2", "7.0.0"));
  EXPECT_FALSE(meets(">=1.2", "1.1.0"));
}

TEST(VersionRequirement, PreReleasesOnlyWhenNamed) {
  EXPECT_FALSE(meets("^1.2", "1.3.0-rc.1"));
  EXPECT_TRUE(meets("^1.3.0-rc.1", "1.3.0-rc.2"));
  EXPECT_TRUE(meets("^1.3.0-rc.1", "1.3.0"));
  EXPECT_FALSE(meets("^1.3.0-rc.1", "1.4.0-rc.1"));
  EXPECT_FALSE(meets("^1.3.0-rc.2", "1.3.0-rc.1"));
  EXPECT_TRUE(meets("1.3.0-rc.1", "1.3.0-rc.1"));  // an exact pre-release, dots and all
  EXPECT_TRUE(meets("=1.3.0-rc.1", "1.3.0-rc.1"));
  EXPECT_FALSE(meets("1.3.0-rc.1", "1.3.0"));
  EXPECT_TRUE(meets("1.2.3+build.5", "1.2.3"));
}

TEST(VersionRequirement, RefusesWhatItDoesNotKnow) {
  for (const char* bad : {"latest", "1.x", "^", ">1.2", "1.2", "^1.2.3.4", "*", "~", "^1.2-rc.1"}) {
    auto r = VersionRequirement::parse(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_NE(r.error().message().find("is not a version requirement"), std::string::npos);
  }
}

}  // namespace
}  // namespace coalition
