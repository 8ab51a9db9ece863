#include "engine/image/reference.h"

#include <cctype>

#include "engine/base/strings.h"

namespace engine::image {

using base::Result;

namespace {

bool is_lower_alnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

// path-component := [a-z0-9]+ (separator [a-z0-9]+)*, separator := [_.] | __ | -+
bool valid_path_component(std::string_view s) {
  if (s.empty() || !is_lower_alnum(s.front()) || !is_lower_alnum(s.back())) return false;
  size_t i = 0;
  while (i < s.size()) {
    if (is_lower_alnum(s[i])) {
      ++i;
      continue;
    }
    size_t j = i;
    while (j < s.size() && !is_lower_alnum(s[j])) ++j;
    std::string_view sep = s.substr(i, j - i);
    bool ok = sep == "." || sep == "_" || sep == "__" || sep.find_first_not_of('-') == std::string_view::npos;
    if (!ok) return false;
    i = j;
  }
  return true;
}

bool valid_domain(std::string_view s) {
  std::string_view host = s;
  size_t colon = s.rfind(':');
  if (colon != std::string_view::npos) {
    std::string_view port = s.substr(colon + 1);
    if (port.empty() || port.find_first_not_of("0123456789") != std::string_view::npos) return false;
    host = s.substr(0, colon);
  }
  if (host.empty()) return false;
  for (const std::string& comp : base::split(host, '.')) {
    if (comp.empty() || !std::isalnum(static_cast<unsigned char>(comp.front())) ||
        !std::isalnum(static_cast<unsigned char>(comp.back())))
      return false;
    for (char c : comp)
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-') return false;
  }
  return true;
}

bool valid_tag(std::string_view t) {
  if (t.empty() || t.size() > 128) return false;
  auto word = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; };
  if (!word(t.front())) return false;
  for (char c : t)
    if (!word(c) && c != '.' && c != '-') return false;
  return true;
}

Result<Reference> parse(std::string_view s, bool default_tag) {
  const std::string quoted = "\"" + std::string(s) + "\"";
  auto bad = [&](const std::string& why) {
    return base::invalid("invalid reference format " + quoted + (why.empty() ? "" : ": " + why));
  };
  if (s.empty()) return bad("empty");
  Reference ref;
  std::string_view rest = s;
  if (size_t at = rest.find('@'); at != std::string_view::npos) {
    auto d = parse_digest(rest.substr(at + 1));
    if (!d) return bad("invalid digest");
    ref.digest = *d;
    rest = rest.substr(0, at);
  }
  size_t slash = rest.rfind('/');
  size_t colon = rest.rfind(':');
  if (colon != std::string_view::npos && (slash == std::string_view::npos || colon > slash)) {
    ref.tag = std::string(rest.substr(colon + 1));
    if (!valid_tag(ref.tag)) return bad("invalid tag");
    rest = rest.substr(0, colon);
  }
  if (rest.empty()) return bad("empty repository name");
  if (rest.size() > 255) return bad("repository name must not be more than 255 characters");
  // Docker: the first component is a domain if it has '.' or ':', is "localhost", or has uppercase.
  size_t first = rest.find('/');
  std::string_view path = rest;
  if (first != std::string_view::npos) {
    std::string_view head = rest.substr(0, first);
    bool has_upper = false;
    for (char c : head) has_upper |= (c >= 'A' && c <= 'Z');
    if (head.find_first_of(".:") != std::string_view::npos || head == "localhost" || has_upper) {
      if (!valid_domain(head)) return bad("invalid domain");
      ref.domain = std::string(head);
      path = rest.substr(first + 1);
    }
  }
  if (ref.domain.empty() || ref.domain == "index.docker.io") ref.domain = std::string(kDefaultDomain);
  for (char c : path)
    if (c >= 'A' && c <= 'Z') return bad("repository name must be lowercase");
  for (const std::string& comp : base::split(path, '/'))
    if (!valid_path_component(comp)) return bad("");
  if (ref.domain == kDefaultDomain && path.find('/') == std::string_view::npos) {
    if (is_hex64(path)) return bad("cannot specify 64-byte hexadecimal strings");
    ref.path = "library/" + std::string(path);
  } else {
    ref.path = std::string(path);
  }
  if (default_tag && ref.tag.empty() && !ref.digest) ref.tag = std::string(kDefaultTag);
  return ref;
}

}  // namespace

std::string Reference::str() const {
  std::string out = name();
  if (!tag.empty()) out += ":" + tag;
  if (digest) out += "@" + digest->str();
  return out;
}

std::string Reference::familiar_name() const {
  if (domain != kDefaultDomain) return name();
  if (base::starts_with(path, "library/") && path.find('/', 8) == std::string::npos) return path.substr(8);
  return path;
}

std::string Reference::familiar_str() const {
  std::string out = familiar_name();
  if (!tag.empty()) out += ":" + tag;
  if (digest) out += "@" + digest->str();
  return out;
}

Result<Reference> parse_reference(std::string_view s) { return parse(s, true); }
Result<Reference> parse_reference_no_default(std::string_view s) { return parse(s, false); }

std::string familiarize(std::string_view full) {
  auto r = parse_reference_no_default(full);
  return r ? r->familiar_str() : std::string(full);
}

}  // namespace engine::image
