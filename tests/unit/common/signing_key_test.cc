// Signing keys: created once, whole, 0600, never replaced; processes that start together (a
// server and a worker on a fresh machine) all end up with the one key that was created.
#include "common/signing_key.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <atomic>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

#include "support/temp_dir.h"

// A namespace of its own: unity builds compile several test files as one.
namespace coalition::signing_key_test {
namespace {

std::string read(const std::filesystem::path& p) {
  std::ifstream in(p);
  return {std::istreambuf_iterator<char>(in), {}};
}

// Every caller started at once on a path with no key: each gets a key, and it is the same one.
// A reader used to find the file the winner had just created and not yet written, and was
// refused ("is not a ... file").
TEST(SigningKey, CallersStartingTogetherAllGetTheOneKeyCreated) {
  constexpr int kCallers = 16;
  for (int round = 0; round < 10; ++round) {
    test::TempDir dir;
    const auto path = dir.path() / "keys" / "audit-signing.key";
    RealFileSystem fs;
    std::atomic<int> ready{0};
    std::vector<std::string> keys(kCallers);
    std::vector<std::string> errors(kCallers);
    std::vector<std::thread> callers;
    for (int i = 0; i < kCallers; ++i) {
      callers.emplace_back([&, i] {
        ++ready;
        while (ready.load() < kCallers) std::this_thread::yield();
        auto key = SigningKey::load_or_create(path, fs, kAuditSigningKey);
        if (key) {
          keys[i] = key->public_key_hex();
        } else {
          errors[i] = key.error().message();
        }
      });
    }
    for (auto& caller : callers) caller.join();
    for (int i = 0; i < kCallers; ++i) {
      EXPECT_EQ(errors[i], "") << "round " << round;
      EXPECT_EQ(keys[i], keys[0]) << "round " << round;
    }
    EXPECT_EQ(keys[0].size(), 64u);
    EXPECT_EQ(read(path.string() + ".pub"), keys[0] + "\n");
    struct stat st {};
    ASSERT_EQ(::stat(path.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    // Nothing left beside it from the writing.
    size_t files = 0;
    for (const auto& entry : std::filesystem::directory_iterator(path.parent_path())) {
      (void)entry;
      ++files;
    }
    EXPECT_EQ(files, 2u);  // the key and its .pub
  }
}

TEST(SigningKey, AnExistingKeyIsNeverReplacedAndSignsVerifiably) {
  test::TempDir dir;
  const auto path = dir.path() / "publisher.key";
  auto created = SigningKey::create(path, kPublisherKey);
  ASSERT_TRUE(created.ok()) << created.error().message();
  auto again = SigningKey::create(path, kPublisherKey);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code(), ErrorCode::kConflict);
  RealFileSystem fs;
  auto loaded = SigningKey::load(path, fs, kPublisherKey);
  ASSERT_TRUE(loaded.ok()) << loaded.error().message();
  EXPECT_EQ(loaded->public_key_hex(), created->public_key_hex());
  const std::string signature = loaded->sign_hex("checkpoint 42");
  EXPECT_TRUE(verify_signature(created->public_key_hex(), "checkpoint 42", signature));
  EXPECT_FALSE(verify_signature(created->public_key_hex(), "checkpoint 43", signature));
  // A key of another kind is not read as this one.
  auto other = SigningKey::load(path, fs, kAuditSigningKey);
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().code(), ErrorCode::kConfiguration);
}

}  // namespace
}  // namespace coalition::signing_key_test
