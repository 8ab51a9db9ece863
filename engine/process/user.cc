#include "engine/process/user.h"

#include <algorithm>
#include <charconv>

#include "engine/base/fs.h"
#include "engine/base/strings.h"

namespace engine::process {

namespace {

bool parse_id(const std::string& s, uint32_t* out) {
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size();
}

/// Lines of a colon-separated database, split into fields; comments and blanks skipped.
std::vector<std::vector<std::string>> records(const std::string& text) {
  std::vector<std::vector<std::string>> out;
  for (const std::string& line : base::split(text, '\n')) {
    if (line.empty() || line[0] == '#') continue;
    out.push_back(base::split(line, ':'));
  }
  return out;
}

base::Result<gid_t> lookup_group(const std::string& name, const std::string& group_text) {
  uint32_t id;
  if (parse_id(name, &id)) return static_cast<gid_t>(id);
  for (const auto& r : records(group_text))
    if (r.size() >= 3 && r[0] == name && parse_id(r[2], &id)) return static_cast<gid_t>(id);
  std::string msg = "unable to find group ";
  msg += name;
  msg += ": no matching entries in group file";
  return base::not_found(std::move(msg));
}

}  // namespace

base::Result<ExecUser> resolve_user(const std::string& user, const std::vector<std::string>& group_add,
                                    const std::string& passwd_text, const std::string& group_text) {
  ExecUser out;
  std::string name = user, group;
  if (size_t colon = user.find(':'); colon != std::string::npos) {
    name = user.substr(0, colon);
    group = user.substr(colon + 1);
  }
  if (name.empty()) name.push_back('0');
  std::string user_name;
  uint32_t id;
  bool numeric = parse_id(name, &id);
  bool found = false;
  for (const auto& r : records(passwd_text)) {
    if (r.size() < 4) continue;
    uint32_t uid, gid;
    if (!parse_id(r[2], &uid) || !parse_id(r[3], &gid)) continue;
    if (numeric ? uid == id : r[0] == name) {
      out.uid = uid;
      out.gid = gid;
      user_name = r[0];
      if (r.size() >= 6 && !r[5].empty()) out.home = r[5];
      found = true;
      break;
    }
  }
  if (!found) {
    if (!numeric) {
      std::string msg = "unable to find user ";
      msg += name;
      msg += ": no matching entries in passwd file";
      return base::not_found(std::move(msg));
    }
    out.uid = id;
    out.gid = 0;
  }
  if (!group.empty()) {
    auto g = lookup_group(group, group_text);
    if (!g) return g.take_error();
    out.gid = *g;
  } else if (!user_name.empty()) {
    // Supplementary groups: every group that lists the user as a member.
    for (const auto& r : records(group_text)) {
      if (r.size() < 4 || !parse_id(r[2], &id)) continue;
      for (const std::string& m : base::split(r[3], ','))
        if (m == user_name && id != out.gid) out.additional_gids.push_back(id);
    }
  }
  for (const std::string& g : group_add) {
    auto gid = lookup_group(g, group_text);
    if (!gid) return gid.take_error();
    out.additional_gids.push_back(*gid);
  }
  std::sort(out.additional_gids.begin(), out.additional_gids.end());
  out.additional_gids.erase(std::unique(out.additional_gids.begin(), out.additional_gids.end()),
                            out.additional_gids.end());
  return out;
}

base::Result<ExecUser> resolve_user_in_roots(const std::string& user, const std::vector<std::string>& group_add,
                                             const std::vector<std::string>& roots) {
  auto first = [&](const char* rel) -> std::string {
    for (const std::string& r : roots) {
      auto text = base::read_file(r + rel);
      if (text) return *text;
    }
    return {};
  };
  return resolve_user(user, group_add, first("/etc/passwd"), first("/etc/group"));
}

}  // namespace engine::process
