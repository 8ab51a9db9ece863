#include "engine/runtime/deferred_remover.h"

#include <doctest/doctest.h>

#include "engine/base/fs.h"
#include "tests/support/test_util.h"

namespace {

std::string make_tree(const test::TempDir& d, const std::string& name) {
  std::string root = d / name;
  REQUIRE(engine::base::make_dirs(root + "/a/b").ok());
  test::write_text(root + "/a/b/file", "x");
  test::write_text(root + "/top", "y");
  return root;
}

}  // namespace

TEST_CASE("runtime: deferred remover deletes queued trees, drain waits for them") {
  test::TempDir d;
  engine::runtime::DeferredRemover r;
  std::string one = make_tree(d, "one"), two = make_tree(d, "two");
  r.remove(one);
  r.remove(two);
  r.drain();
  CHECK_FALSE(engine::base::path_exists(one));
  CHECK_FALSE(engine::base::path_exists(two));
  r.remove(d / "missing");  // already gone: no error, no hang
  r.drain();
}

TEST_CASE("runtime: deferred remover finishes its queue when destroyed") {
  test::TempDir d;
  std::string tree = make_tree(d, "tree");
  {
    engine::runtime::DeferredRemover r;
    r.remove(tree);
  }
  CHECK_FALSE(engine::base::path_exists(tree));
}
