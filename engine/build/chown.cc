#include "engine/build/chown.h"

#include <charconv>
#include <optional>
#include <string>
#include <vector>

namespace engine::build {
namespace {

std::optional<unsigned> number(std::string_view s, int base = 10) {
  unsigned v = 0;
  if (s.empty()) return std::nullopt;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v, base);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return v;
}

/// The colon-separated fields of the first line of a passwd/group file whose name is NAME.
std::optional<std::vector<std::string_view>> find_entry(std::string_view text, std::string_view name) {
  while (!text.empty()) {
    size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    std::vector<std::string_view> fields;
    for (size_t start = 0;;) {
      size_t c = line.find(':', start);
      fields.push_back(line.substr(start, c == std::string_view::npos ? std::string_view::npos : c - start));
      if (c == std::string_view::npos) break;
      start = c + 1;
    }
    if (fields.size() >= 4 && fields[0] == name) return fields;
  }
  return std::nullopt;
}

}  // namespace

base::Result<Owner> resolve_chown(std::string_view spec, std::string_view passwd, std::string_view group) {
  size_t colon = spec.find(':');
  std::string_view user = spec.substr(0, colon);
  std::string_view grp = colon == std::string_view::npos ? std::string_view() : spec.substr(colon + 1);
  if (user.empty() || (colon != std::string_view::npos && grp.empty()))
    return base::invalid("invalid --chown value \"" + std::string(spec) + "\"");
  Owner o;
  if (auto n = number(user)) {
    o.uid = o.gid = *n;
  } else {
    auto e = find_entry(passwd, user);
    auto uid = e ? number((*e)[2]) : std::nullopt;
    auto gid = e ? number((*e)[3]) : std::nullopt;
    if (!uid || !gid)
      return base::invalid("unable to find user " + std::string(user) + ": no matching entries in passwd file");
    o.uid = *uid;
    o.gid = *gid;
  }
  if (grp.empty()) return o;
  if (auto n = number(grp)) {
    o.gid = *n;
    return o;
  }
  auto e = find_entry(group, grp);
  auto gid = e ? number((*e)[2]) : std::nullopt;
  if (!gid) return base::invalid("unable to find group " + std::string(grp) + ": no matching entries in group file");
  o.gid = *gid;
  return o;
}

base::Result<unsigned> parse_chmod(std::string_view spec) {
  auto n = number(spec, 8);
  if (!n || *n > 07777) return base::invalid("invalid --chmod value \"" + std::string(spec) + "\": expected an octal mode");
  return *n;
}

}  // namespace engine::build
