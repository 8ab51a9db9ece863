// Device rules: Docker's defaults, the v1 files and the v2 BPF program's shape.
#include <doctest/doctest.h>
#include <linux/bpf.h>

#include <cstring>

#include "engine/cgroup/cgroup.h"
#include "engine/cgroup/controllers.h"
#include "tests/engine/cgroup/fake_tree.h"
#include "tests/support/test_util.h"

using engine::cgroup::DeviceRule;
using engine::cgroup::Manager;
using engine::cgroup::Resources;
using test::cgroup::slurp;

namespace {

std::vector<bpf_insn> decode(const std::vector<uint64_t>& raw) {
  std::vector<bpf_insn> out(raw.size());
  std::memcpy(out.data(), raw.data(), raw.size() * sizeof(uint64_t));
  return out;
}

}  // namespace

TEST_CASE("devices: Docker's default rules") {
  std::vector<std::string> lines;
  for (const DeviceRule& r : engine::cgroup::default_device_rules()) {
    lines.push_back((r.allow ? "allow " : "deny ") + engine::cgroup::device_rule_line(r));
  }
  CHECK(lines == std::vector<std::string>{"deny a *:* rwm", "allow c *:* m", "allow b *:* m", "allow c 1:3 rwm",
                                          "allow c 1:5 rwm", "allow c 1:7 rwm", "allow c 1:8 rwm", "allow c 1:9 rwm",
                                          "allow c 5:0 rwm", "allow c 5:1 rwm", "allow c 5:2 rwm",
                                          "allow c 136:* rwm", "allow c 10:200 rwm"});
}

TEST_CASE("devices: invalid rules are named before anything is created") {
  Resources r;
  r.devices = {DeviceRule{true, 'x', 1, 3, "rwm"}};
  auto st = engine::cgroup::validate(r);
  REQUIRE(!st);
  CHECK(st.error().str() == "device rule \"x 1:3 rwm\" is invalid");
  r.devices = {DeviceRule{true, 'c', 1, 3, "rwx"}};
  CHECK(engine::cgroup::validate(r).error().str() == "device rule \"c 1:3 rwx\" is invalid");
  r.devices = {DeviceRule{true, 'c', -2, 3, "r"}};
  CHECK(!engine::cgroup::validate(r).ok());
}

TEST_CASE("devices v1: rules go to devices.deny and devices.allow in order") {
  test::TempDir root;
  test::cgroup::make_v1_root(root.path());
  test::cgroup::make_v1_leaf(root.path(), "berth/d1");
  Resources r;
  r.devices = {DeviceRule{false, 'a', -1, -1, "rwm"}, DeviceRule{true, 'c', 1, 3, "rwm"}};
  auto m = Manager::create("berth/d1", r, root.path());
  REQUIRE_MESSAGE(m, m.error().str());
  CHECK(slurp(root / "devices/berth/d1/devices.deny") == "a *:* rwm");
  CHECK(slurp(root / "devices/berth/d1/devices.allow") == "c 1:3 rwm");
}

TEST_CASE("devices v2: the BPF program tests the last rule first and denies by default") {
  auto p = decode(engine::cgroup::device_filter_program(
      {DeviceRule{false, 'a', -1, -1, "rwm"}, DeviceRule{true, 'c', 1, 3, "rw"}}));
  // 6 loads, the c 1:3 block (type, access x3, major, minor, verdict, exit), then the "a" block,
  // which matches everything, so no default verdict follows it.
  REQUIRE(p.size() == 6 + 8 + 2);
  CHECK(p[0].code == (BPF_LDX | BPF_W | BPF_MEM));
  CHECK(p[6].code == (BPF_JMP | BPF_JNE | BPF_K));
  CHECK(p[6].imm == BPF_DEVCG_DEV_CHAR);
  CHECK(p[6].off == 7);  // to the next block
  CHECK(p[8].imm == BPF_DEVCG_ACC_MKNOD);  // access outside "rw"
  CHECK(p[9].off == 4);
  CHECK(p[10].imm == 1);  // major
  CHECK(p[11].imm == 3);  // minor
  CHECK(p[11].off == 2);
  CHECK(p[12].code == (BPF_ALU64 | BPF_MOV | BPF_K));
  CHECK(p[12].imm == 1);  // allow
  CHECK(p[13].code == (BPF_JMP | BPF_EXIT));
  CHECK(p[14].imm == 0);  // "a": deny, no checks
  CHECK(p[15].code == (BPF_JMP | BPF_EXIT));
  // Without a catch-all rule, unmatched accesses fall through to the default deny.
  auto q = decode(engine::cgroup::device_filter_program({DeviceRule{true, 'b', 8, -1, "r"}}));
  REQUIRE(q.size() == 6 + 7 + 2);
  CHECK(q[6].imm == BPF_DEVCG_DEV_BLOCK);
  CHECK(q[8].imm == (BPF_DEVCG_ACC_WRITE | BPF_DEVCG_ACC_MKNOD));
  CHECK(q[13].imm == 0);
  CHECK(q[14].code == (BPF_JMP | BPF_EXIT));
}
