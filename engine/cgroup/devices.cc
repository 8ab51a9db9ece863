// Device access rules: Docker's defaults and the v1 devices controller.
#include <string>

#include "engine/cgroup/cgroup_fs.h"
#include "engine/cgroup/controllers.h"

namespace engine::cgroup {

using engine::base::Status;

std::vector<DeviceRule> default_device_rules() {
  auto allow = [](char type, int64_t major, int64_t minor, const char* access) {
    return DeviceRule{true, type, major, minor, access};
  };
  return {
      DeviceRule{false, 'a', -1, -1, "rwm"},  // deny everything not listed below
      allow('c', -1, -1, "m"),                 // mknod of any node (opening it is still checked)
      allow('b', -1, -1, "m"),
      allow('c', 1, 3, "rwm"),    // null
      allow('c', 1, 5, "rwm"),    // zero
      allow('c', 1, 7, "rwm"),    // full
      allow('c', 1, 8, "rwm"),    // random
      allow('c', 1, 9, "rwm"),    // urandom
      allow('c', 5, 0, "rwm"),    // tty
      allow('c', 5, 1, "rwm"),    // console
      allow('c', 5, 2, "rwm"),    // ptmx
      allow('c', 136, -1, "rwm"), // pts
      allow('c', 10, 200, "rwm"), // net/tun
  };
}

std::string device_rule_line(const DeviceRule& r) {
  auto num = [](int64_t v) { return v < 0 ? std::string("*") : std::to_string(v); };
  return std::string(1, r.type) + " " + num(r.major) + ":" + num(r.minor) + " " + r.access;
}

Status validate_device_rule(const DeviceRule& r) {
  bool ok = (r.type == 'a' || r.type == 'b' || r.type == 'c') && !r.access.empty() && r.major >= -1 &&
            r.minor >= -1 && r.major <= 0xfff && r.minor <= 0xfffff;
  for (char c : r.access) ok = ok && (c == 'r' || c == 'w' || c == 'm');
  if (!ok) return engine::base::invalid("device rule \"" + device_rule_line(r) + "\" is invalid");
  return {};
}

Status apply_devices_v1(const std::string& dir, const std::vector<DeviceRule>& rules) {
  for (const DeviceRule& r : rules)
    BERTH_TRY(write_value(dir, r.allow ? "devices.allow" : "devices.deny", device_rule_line(r)));
  return {};
}

}  // namespace engine::cgroup
