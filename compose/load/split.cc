#include "compose/load/split.h"

#include <cstring>
#include <vector>

namespace compose::load {
namespace {

bool key_start(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/// `name:` with nothing but spaces after it: a key whose value is a block node.
bool block_key_line(std::string_view s) {
  size_t i = 0;
  while (i < s.size() && (key_start(s[i]) || s[i] == '.' || s[i] == '-')) ++i;
  if (i == 0 || i >= s.size() || s[i] != ':') return false;
  return s.find_first_not_of(' ', i + 1) == std::string_view::npos;
}

/// True when some '&' in s may start an anchor (it follows a space, a flow indicator,
/// a colon or a line start). A '&' inside words (URLs, shell) does not count.
bool may_define_anchor(std::string_view s) {
  for (size_t i = s.find('&'); i != std::string_view::npos; i = s.find('&', i + 1))
    if (i == 0 || std::strchr(" \t\n[{,:", s[i - 1])) return true;
  return false;
}

struct Candidate {
  size_t offset;
  int line;
};

}  // namespace

std::optional<SplitPlan> plan_split(std::string_view text, size_t min_bytes) {
  if (text.size() < min_bytes || text.find('\r') != std::string_view::npos) return std::nullopt;
  enum { Before, In, After } state = Before;
  SplitPlan plan;
  size_t indent = 0;  // indentation of the service keys
  std::vector<Candidate> candidates;
  int line_no = 0;
  for (size_t b = 0; b < text.size();) {
    size_t e = text.find('\n', b);
    if (e == std::string_view::npos) e = text.size();
    std::string_view line = text.substr(b, e - b);
    ++line_no;
    size_t next = e + 1;
    size_t spaces = line.find_first_not_of(' ');
    if (spaces == std::string_view::npos || line[spaces] == '#') {
      b = next;
      continue;
    }
    char c = line[spaces];
    if (spaces == 0) {
      // Top-level keys only: no document markers, directives, merge keys, quoted or complex keys.
      if (!key_start(c)) return std::nullopt;
      if (line.substr(0, line.find_last_not_of(' ') + 1) == "services:") {
        if (state != Before || next > text.size()) return std::nullopt;
        state = In;
        plan.header_end = next;
        plan.header_lines = line_no;
      } else if (state == In) {
        state = After;
      }
    } else if (state == In) {
      if (indent == 0) indent = spaces;
      if (spaces < indent) return std::nullopt;
      if (spaces == indent) {
        if (!key_start(c)) return std::nullopt;  // <<, anchors, quoted or complex keys, items
        if (block_key_line(line.substr(spaces))) candidates.push_back({b, line_no});
      }
    }
    b = next;
  }
  if (candidates.size() < 2) return std::nullopt;
  // Cut where the two halves are about the same size (the header is parsed by both).
  size_t target = plan.header_end + (text.size() - plan.header_end) / 2;
  const Candidate* best = &candidates[1];
  for (const Candidate& c : candidates)
    if (&c != &candidates[0] &&
        (c.offset > target ? c.offset - target : target - c.offset) <
            (best->offset > target ? best->offset - target : target - best->offset))
      best = &c;
  if (may_define_anchor(text.substr(plan.header_end, best->offset - plan.header_end))) return std::nullopt;
  plan.split = best->offset;
  plan.split_line = best->line;
  return plan;
}

}  // namespace compose::load
