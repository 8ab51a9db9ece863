#include "engine/security/capabilities.h"

#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <set>

#include "engine/base/fs.h"
#include "engine/base/strings.h"

namespace engine::security {

using engine::base::Result;
using engine::base::Status;

namespace {

/// The kernel's highest capability number (/proc/sys/kernel/cap_last_cap), else libcap's.
int kernel_last_cap() {
  auto r = engine::base::read_file("/proc/sys/kernel/cap_last_cap");
  if (r) {
    std::string s(engine::base::trim(*r));
    if (!s.empty() && std::all_of(s.begin(), s.end(), ::isdigit)) return std::stoi(s);
  }
  return static_cast<int>(cap_max_bits()) - 1;
}

/// libcap's name for cap ("CAP_CHOWN"), or empty when libcap does not know it.
std::string name_of(int cap) {
  char* n = cap_to_name(static_cast<cap_value_t>(cap));
  if (!n) return {};
  std::string s(n);
  cap_free(n);
  if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0]))) return {};
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

/// Capability number of a canonical "CAP_X" name, or -1.
int number_of(const std::string& name) {
  cap_value_t v = 0;
  std::string lower = name;
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (cap_from_name(lower.c_str(), &v) != 0) return -1;
  return v > kernel_last_cap() ? -1 : static_cast<int>(v);
}

}  // namespace

std::vector<std::string> default_capabilities() {
  std::vector<std::string> caps = {"CAP_AUDIT_WRITE", "CAP_CHOWN",  "CAP_DAC_OVERRIDE", "CAP_FOWNER",
                                   "CAP_FSETID",      "CAP_KILL",   "CAP_MKNOD",        "CAP_NET_BIND_SERVICE",
                                   "CAP_NET_RAW",     "CAP_SETFCAP", "CAP_SETGID",      "CAP_SETPCAP",
                                   "CAP_SETUID",      "CAP_SYS_CHROOT"};
  return caps;  // already sorted
}

Result<std::vector<std::string>> all_capabilities() {
  int last = kernel_last_cap();
  if (last < 0 || last > 63) return engine::base::internal("read capability count: " + std::to_string(last) + " is out of range");
  std::vector<std::string> out;
  for (int i = 0; i <= last; ++i)
    if (std::string n = name_of(i); !n.empty()) out.push_back(n);
  return out;
}

Result<std::string> normalize_capability(const std::string& name) {
  std::string up = name;
  for (char& c : up) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (up == "ALL") return up;
  if (!engine::base::starts_with(up, "CAP_")) up = "CAP_" + up;
  if (number_of(up) < 0) return engine::base::invalid("unknown capability: \"" + up + "\"");
  return up;
}

Result<std::vector<std::string>> resolve_capabilities(const std::vector<std::string>& add,
                                                      const std::vector<std::string>& drop, bool privileged) {
  std::set<std::string> adds, drops;
  for (const std::string& a : add) {
    auto n = normalize_capability(a);
    if (!n) return n.take_error().wrap("cap_add");
    adds.insert(*n);
  }
  for (const std::string& d : drop) {
    auto n = normalize_capability(d);
    if (!n) return n.take_error().wrap("cap_drop");
    drops.insert(*n);
  }
  std::set<std::string> caps;
  if (privileged) {
    auto all = all_capabilities();
    if (!all) return all.take_error();
    caps.insert(all->begin(), all->end());
    return std::vector<std::string>(caps.begin(), caps.end());
  }
  if (adds.count("ALL")) {
    // Everything except what is dropped (Docker's order of precedence).
    auto all = all_capabilities();
    if (!all) return all.take_error();
    for (const std::string& c : *all)
      if (!drops.count(c)) caps.insert(c);
  } else if (drops.count("ALL")) {
    caps = adds;  // start from nothing, then add
  } else {
    for (const std::string& c : default_capabilities())
      if (!drops.count(c)) caps.insert(c);
    caps.insert(adds.begin(), adds.end());
  }
  caps.erase("ALL");
  return std::vector<std::string>(caps.begin(), caps.end());
}

Result<CapState> make_cap_state(const std::vector<std::string>& caps) {
  CapState s;
  s.last_cap = kernel_last_cap();
  if (s.last_cap < 0 || s.last_cap > 63) return engine::base::internal("capability count out of range");
  uint64_t mask = 0;
  for (const std::string& c : caps) {
    auto n = normalize_capability(c);
    if (!n) return n.take_error();
    if (*n == "ALL") return engine::base::invalid("capability list: \"ALL\" must be resolved first");
    mask |= uint64_t{1} << number_of(*n);
  }
  s.bounding = s.effective = s.permitted = mask;
  s.inheritable = 0;
  return s;
}

int apply_cap_state_raw(const CapState& s) noexcept {
  __user_cap_header_struct hdr{_LINUX_CAPABILITY_VERSION_3, 0};
  // After setresuid with PR_SET_KEEPCAPS the effective set is empty but permitted is intact:
  // raise effective to permitted so dropping the bounding set (needs CAP_SETPCAP) works.
  __user_cap_data_struct cur[2] = {};
  if (::syscall(SYS_capget, &hdr, cur) == 0) {
    cur[0].effective = cur[0].permitted;
    cur[1].effective = cur[1].permitted;
    (void)::syscall(SYS_capset, &hdr, cur);
  }
  for (int i = 0; i <= s.last_cap; ++i)
    if (!(s.bounding & (uint64_t{1} << i)) && ::prctl(PR_CAPBSET_DROP, i, 0, 0, 0) != 0 && errno != EINVAL)
      return errno;
  if (::prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 && errno != EINVAL) return errno;
  __user_cap_data_struct data[2] = {};
  data[0].effective = static_cast<uint32_t>(s.effective);
  data[1].effective = static_cast<uint32_t>(s.effective >> 32);
  data[0].permitted = static_cast<uint32_t>(s.permitted);
  data[1].permitted = static_cast<uint32_t>(s.permitted >> 32);
  data[0].inheritable = static_cast<uint32_t>(s.inheritable);
  data[1].inheritable = static_cast<uint32_t>(s.inheritable >> 32);
  if (::syscall(SYS_capset, &hdr, data) != 0) return errno;
  return 0;
}

Status apply_cap_state(const CapState& s) {
  int err = apply_cap_state_raw(s);
  if (err != 0) return engine::base::sys_error("apply capabilities", err);
  return {};
}

std::vector<std::string> cap_names(uint64_t mask) {
  std::vector<std::string> out;
  for (int i = 0; i < 64; ++i)
    if (mask & (uint64_t{1} << i)) out.push_back(name_of(i).empty() ? "CAP_" + std::to_string(i) : name_of(i));
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace engine::security
