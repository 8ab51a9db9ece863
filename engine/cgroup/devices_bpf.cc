// cgroup v2 has no devices files: access is decided by a BPF_CGROUP_DEVICE program attached to
// the cgroup (https://docs.kernel.org/admin-guide/cgroup-v2.html#device-controller).
#include <fcntl.h>
#include <linux/bpf.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstring>
#include <string>

#include "engine/base/unique_fd.h"
#include "engine/cgroup/controllers.h"

namespace engine::cgroup {

using engine::base::Status;
using engine::base::UniqueFd;

namespace {

bpf_insn insn(uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm) {
  bpf_insn i{};
  i.code = code;
  i.dst_reg = dst & 0xf;
  i.src_reg = src & 0xf;
  i.off = off;
  i.imm = imm;
  return i;
}

uint64_t pack(const bpf_insn& i) {
  uint64_t v = 0;
  std::memcpy(&v, &i, sizeof v);
  return v;
}

/// Registers: r2 = device type, r3 = requested access, r4 = major, r5 = minor (from bpf_cgroup_dev_ctx).
std::vector<bpf_insn> program(const std::vector<DeviceRule>& rules) {
  std::vector<bpf_insn> p = {
      insn(BPF_LDX | BPF_W | BPF_MEM, 2, 1, offsetof(bpf_cgroup_dev_ctx, access_type), 0),
      insn(BPF_ALU64 | BPF_AND | BPF_K, 2, 0, 0, 0xffff),
      insn(BPF_LDX | BPF_W | BPF_MEM, 3, 1, offsetof(bpf_cgroup_dev_ctx, access_type), 0),
      insn(BPF_ALU64 | BPF_RSH | BPF_K, 3, 0, 0, 16),
      insn(BPF_LDX | BPF_W | BPF_MEM, 4, 1, offsetof(bpf_cgroup_dev_ctx, major), 0),
      insn(BPF_LDX | BPF_W | BPF_MEM, 5, 1, offsetof(bpf_cgroup_dev_ctx, minor), 0),
  };
  // Later rules override earlier ones, so test them last-first: the first match decides.
  for (auto it = rules.rbegin(); it != rules.rend(); ++it) {
    const DeviceRule& r = *it;
    int32_t access = 0;
    for (char c : r.access)
      access |= c == 'r' ? BPF_DEVCG_ACC_READ : c == 'w' ? BPF_DEVCG_ACC_WRITE : BPF_DEVCG_ACC_MKNOD;
    std::vector<bpf_insn> checks;  // each jumps to the end of this block on mismatch (offset patched below)
    if (r.type != 'a')
      checks.push_back(insn(BPF_JMP | BPF_JNE | BPF_K, 2, 0, 0, r.type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR));
    if (access != 7) {
      checks.push_back(insn(BPF_ALU64 | BPF_MOV | BPF_X, 0, 3, 0, 0));
      checks.push_back(insn(BPF_ALU64 | BPF_AND | BPF_K, 0, 0, 0, ~access & 7));
      checks.push_back(insn(BPF_JMP | BPF_JNE | BPF_K, 0, 0, 0, 0));
    }
    if (r.major >= 0) checks.push_back(insn(BPF_JMP | BPF_JNE | BPF_K, 4, 0, 0, static_cast<int32_t>(r.major)));
    if (r.minor >= 0) checks.push_back(insn(BPF_JMP | BPF_JNE | BPF_K, 5, 0, 0, static_cast<int32_t>(r.minor)));
    checks.push_back(insn(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, r.allow ? 1 : 0));
    checks.push_back(insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0));
    const int n = static_cast<int>(checks.size());
    for (int i = 0; i < n; ++i)
      if (BPF_CLASS(checks[i].code) == BPF_JMP && BPF_OP(checks[i].code) == BPF_JNE)
        checks[i].off = static_cast<int16_t>(n - i - 1);
    p.insert(p.end(), checks.begin(), checks.end());
    if (n == 2) return p;  // matches everything: later code would be unreachable (the verifier refuses it)
  }
  p.push_back(insn(BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0));  // nothing matched: deny
  p.push_back(insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0));
  return p;
}

long bpf(int cmd, bpf_attr* attr) { return ::syscall(SYS_bpf, cmd, attr, sizeof(*attr)); }

}  // namespace

std::vector<uint64_t> device_filter_program(const std::vector<DeviceRule>& rules) {
  std::vector<uint64_t> out;
  for (const bpf_insn& i : program(rules)) out.push_back(pack(i));
  return out;
}

Status apply_devices_v2(const std::string& dir, const std::vector<DeviceRule>& rules) {
  UniqueFd cg(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!cg) return engine::base::sys_error("open " + dir);
  // Programs attached before (an earlier update): detached once the new one is in place.
  uint32_t old_ids[64] = {};
  bpf_attr q{};
  q.query.target_fd = static_cast<uint32_t>(cg.get());
  q.query.attach_type = BPF_CGROUP_DEVICE;
  q.query.prog_ids = reinterpret_cast<uint64_t>(old_ids);
  q.query.prog_cnt = 64;
  uint32_t old_count = bpf(BPF_PROG_QUERY, &q) == 0 ? q.query.prog_cnt : 0;

  std::vector<bpf_insn> insns = program(rules);
  static const char kLicense[] = "Apache";
  bpf_attr load{};
  load.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
  load.insns = reinterpret_cast<uint64_t>(insns.data());
  load.insn_cnt = static_cast<uint32_t>(insns.size());
  load.license = reinterpret_cast<uint64_t>(kLicense);
  UniqueFd prog(static_cast<int>(bpf(BPF_PROG_LOAD, &load)));
  if (!prog) {
    // Load again with the verifier's log (a log too small for a passing program is itself an
    // error, so only after a failure) to say why.
    int err = errno;
    static thread_local char log[65536];
    log[0] = 0;
    load.log_buf = reinterpret_cast<uint64_t>(log);
    load.log_size = sizeof log;
    load.log_level = 1;
    UniqueFd again(static_cast<int>(bpf(BPF_PROG_LOAD, &load)));
    std::string first(log, ::strnlen(log, sizeof log));
    first = first.substr(0, first.find('\n'));  // the verifier's reason; the rest is statistics
    std::string why = first.empty() ? std::string() : ": " + first;
    return engine::base::sys_error("load device filter for " + dir + why, err);
  }
  bpf_attr at{};
  at.target_fd = static_cast<uint32_t>(cg.get());
  at.attach_bpf_fd = static_cast<uint32_t>(prog.get());
  at.attach_type = BPF_CGROUP_DEVICE;
  at.attach_flags = BPF_F_ALLOW_MULTI;
  if (bpf(BPF_PROG_ATTACH, &at) != 0) return engine::base::sys_error("attach device filter to " + dir);
  for (uint32_t i = 0; i < old_count && i < 64; ++i) {
    bpf_attr get{};
    get.prog_id = old_ids[i];
    UniqueFd old(static_cast<int>(bpf(BPF_PROG_GET_FD_BY_ID, &get)));
    if (!old) continue;
    bpf_attr det{};
    det.target_fd = static_cast<uint32_t>(cg.get());
    det.attach_bpf_fd = static_cast<uint32_t>(old.get());
    det.attach_type = BPF_CGROUP_DEVICE;
    if (bpf(BPF_PROG_DETACH, &det) != 0) return engine::base::sys_error("detach old device filter from " + dir);
  }
  return {};
}

}  // namespace engine::cgroup
