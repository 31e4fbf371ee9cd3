// The layered context: children read their parent's context without copying it, write only
// into their own layer, and report what they added.
#include "workflow/context.h"

#include <gtest/gtest.h>

namespace coalition {
namespace {

using nlohmann::json;

Context parent_with_case() {
  Context parent(json{{"input", {{"case_id", "FC-0001"}, {"members", {"bank", "psp"}}}},
                      {"review", {{"status", "open"}, {"by", "rev.one"}}}});
  parent.freeze();
  return parent;
}

TEST(Context, AChildReadsItsParentThroughTheSharedLayerWithoutCopyingIt) {
  Context parent = parent_with_case();
  Context child = Context::inherit(parent, json{{"item", "psp"}, {"index", 1}});
  ASSERT_NE(child.find("/input/case_id"), nullptr);
  EXPECT_EQ(*child.find("/input/case_id"), "FC-0001");
  EXPECT_EQ(*child.find("/item"), "psp");
  EXPECT_EQ(*child.find("/input/members/1"), "psp");
  // The very same value, not a copy of it.
  EXPECT_EQ(child.find("/input"), parent.find("/input"));
  EXPECT_EQ(child.frozen(), parent.frozen());
  EXPECT_EQ(child.find("/nothing"), nullptr);
  EXPECT_EQ(child.find("/input/members/7"), nullptr);
  EXPECT_EQ(child.find("no-slash"), nullptr);
}

TEST(Context, AWriteCopiesOnlyTheMemberItLandsInAndNeverTouchesTheSharedLayer) {
  Context parent = parent_with_case();
  Context child = Context::inherit(parent, json::object());
  ASSERT_TRUE(child.write("/review/status", "closed").ok());
  ASSERT_TRUE(child.write("/ack", {{"n", 1}}).ok());
  EXPECT_EQ(*child.find("/review/status"), "closed");
  EXPECT_EQ(*child.find("/review/by"), "rev.one");  // the rest of the member came along
  EXPECT_EQ(*parent.find("/review/status"), "open");
  EXPECT_EQ(child.own(),
            (json{{"review", {{"status", "closed"}, {"by", "rev.one"}}}, {"ack", {{"n", 1}}}}));
  EXPECT_EQ(child.find("/input"), parent.find("/input"));  // still shared
}

TEST(Context, AMemberAlreadyItsOwnIsWrittenInPlace) {
  Context c(json{{"acc", {{"a", 1}}}});
  const json* before = c.member("acc");
  ASSERT_TRUE(c.write("/acc/b", 2).ok());
  EXPECT_EQ(c.member("acc"), before);  // the same value, changed, not a copy put in its place
  EXPECT_EQ(*c.member("acc"), (json{{"a", 1}, {"b", 2}}));
  EXPECT_FALSE(c.write("/acc/a/deeper", 3).ok());  // a number on the way
  EXPECT_EQ(*c.member("acc"), (json{{"a", 1}, {"b", 2}}));
}

TEST(Context, AFailedWriteChangesNothing) {
  Context parent = parent_with_case();
  Context child = Context::inherit(parent, json::object());
  auto s = child.write("/input/case_id/deeper", 1);  // a string on the way
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code(), ErrorCode::kInvalidData);
  EXPECT_TRUE(child.own().empty());
  EXPECT_FALSE(child.write("not-a-pointer", 1).ok());
}

// A frame's own layer is made by its first write (an empty object is an allocation, and most
// branches write nothing), yet reads as an empty object before it and after a freeze.
TEST(Context, AnOwnLayerNeverWrittenReadsAsAnEmptyObject) {
  Context blank;
  EXPECT_EQ(blank.own(), json::object());
  EXPECT_EQ(blank.find("/anything"), nullptr);
  EXPECT_EQ(blank.added(), json::object());
  EXPECT_EQ(blank.merged(), json::object());
  blank.freeze();  // nothing to freeze: no layer appears
  EXPECT_EQ(blank.frozen(), nullptr);

  Context parent = parent_with_case();
  Context child = Context::inherit(parent, json());
  EXPECT_EQ(child.own(), json::object());
  EXPECT_EQ(child.added(), json::object());
  EXPECT_EQ(*child.find("/input/case_id"), "FC-0001");
  ASSERT_TRUE(child.write("/ack/by", "rev.two").ok());  // made on the way
  EXPECT_EQ(child.own(), (json{{"ack", {{"by", "rev.two"}}}}));
  child.freeze();
  EXPECT_EQ(child.own(), json::object());
  EXPECT_EQ(*child.find("/ack/by"), "rev.two");
  EXPECT_EQ(child.added(), (json{{"ack", {{"by", "rev.two"}}}}));
}

TEST(Context, AddedIsWhatTheFrameWroteOverWhatItInherited) {
  Context parent = parent_with_case();
  Context child = Context::inherit(parent, json{{"item", "bank"}, {"index", 0}});
  ASSERT_TRUE(child.write("/ack", true).ok());
  child.freeze();  // its own container step: still its own addition
  ASSERT_TRUE(child.write("/after", 2).ok());
  EXPECT_EQ(child.added(), (json{{"item", "bank"}, {"index", 0}, {"ack", true}, {"after", 2}}));
  json merged = child.merged();
  EXPECT_EQ(merged["input"]["case_id"], "FC-0001");
  EXPECT_EQ(merged["after"], 2);
  // A context that inherited nothing adds everything.
  EXPECT_EQ(parent.added(), parent.merged());
}

TEST(Context, FreezingMergesIntoALayerNobodyElseHoldsAndStacksOnOneThatIsShared) {
  Context c(json{{"a", 1}});
  c.freeze();
  auto first = c.frozen();
  ASSERT_TRUE(c.write("/b", 2).ok());
  {
    Context child = Context::inherit(c, json::object());  // shares `first`
    c.freeze();
    EXPECT_NE(c.frozen(), first);  // stacked: the child's view must not change
    EXPECT_EQ(c.frozen()->below, first);
    EXPECT_EQ(child.find("/b"), nullptr);
  }
  // Nobody else holds the top layer now (and `first` is only ours too): a loop around a
  // container step merges instead of growing the stack.
  auto top = c.frozen();
  first.reset();
  ASSERT_TRUE(c.write("/c", 3).ok());
  top.reset();
  c.freeze();
  EXPECT_EQ(c.frozen()->below->below, nullptr);
  EXPECT_EQ(c.merged(), (json{{"a", 1}, {"b", 2}, {"c", 3}}));
  // A persisted layer (it has an id) is never merged into.
  c.frozen()->id = 7;
  ASSERT_TRUE(c.write("/d", 4).ok());
  c.freeze();
  EXPECT_EQ(c.frozen()->below->id, 7u);
  EXPECT_EQ(*c.find("/d"), 4);
}

TEST(Context, PointerEscapesAreUnderstoodInTheFirstToken) {
  Context c(json{{"a/b", {{"x~y", 1}}}});
  c.freeze();
  Context child = Context::inherit(c, json::object());
  ASSERT_NE(child.find("/a~1b/x~0y"), nullptr);
  EXPECT_EQ(*child.find("/a~1b/x~0y"), 1);
  ASSERT_TRUE(child.write("/a~1b/z", 2).ok());
  EXPECT_EQ(child.own(), (json{{"a/b", {{"x~y", 1}, {"z", 2}}}}));
}

TEST(Context, ALoopThatKeepsFreezingFoldsItsLayersInsteadOfStackingThemWithoutEnd) {
  Context c(json{{"input", {{"n", 0}}}});
  for (int pass = 0; pass < 50; ++pass) {
    ASSERT_TRUE(c.write("/pass" + std::to_string(pass), pass).ok());
    if (c.frozen()) c.frozen()->id = static_cast<uint64_t>(pass) + 1;  // persisted: no merging
    c.freeze();
    size_t depth = 0;
    for (const ContextLayer* l = c.frozen().get(); l != nullptr; l = l->below.get()) ++depth;
    ASSERT_LE(depth, Context::kMostOwnLayers + 1) << pass;
  }
  json merged = c.merged();
  EXPECT_EQ(merged["pass0"], 0);
  EXPECT_EQ(merged["pass49"], 49);
  EXPECT_EQ(merged["input"]["n"], 0);
  EXPECT_EQ(merged.size(), 51u);
}

}  // namespace
}  // namespace coalition
