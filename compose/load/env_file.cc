#include "compose/load/env_file.h"

#include <cctype>

#include "compose/load/interpolate.h"
#include "compose/load/utf8.h"
#include "engine/base/strings.h"

namespace compose::load {
namespace {

using engine::base::invalid;

bool valid_key(const std::string& k) {
  if (k.empty()) return false;
  for (char c : k)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-')) return false;
  return true;
}

}  // namespace

engine::base::Result<EnvPairs> parse_env_file(const std::string& text, const std::string& file, const Environment& env) {
  EnvPairs out;
  if (first_invalid_utf8(text) != std::string::npos) return invalid(file + ": invalid UTF-8");
  std::map<std::string, std::string> seen;
  // Values defined earlier in the file are visible to later ones; the outer environment wins.
  Environment scoped([&](const std::string& k) -> std::optional<std::string> {
    if (auto v = env.get(k)) return v;
    auto it = seen.find(k);
    if (it != seen.end()) return it->second;
    return std::nullopt;
  });
  std::vector<std::string> lines = engine::base::split(text, '\n');
  for (size_t ln = 0; ln < lines.size(); ++ln) {
    std::string where = file + ":" + std::to_string(ln + 1) + ": ";
    std::string line(engine::base::trim(lines[ln]));
    if (line.empty() || line[0] == '#') continue;
    if (line.rfind("export ", 0) == 0) line = std::string(engine::base::trim(line.substr(7)));
    size_t eq = line.find('=');
    std::string key(engine::base::trim(line.substr(0, eq)));
    if (!valid_key(key)) return invalid(where + "invalid variable name \"" + key + "\"");
    if (eq == std::string::npos) {
      if (auto v = env.get(key)) {
        out.emplace_back(key, *v);
        seen[key] = *v;
      }
      continue;
    }
    std::string raw(engine::base::trim(lines[ln].substr(lines[ln].find('=') + 1)));
    std::string value;
    if (!raw.empty() && (raw[0] == '\'' || raw[0] == '"')) {
      char q = raw[0];
      // A quoted value may span lines until its closing (unescaped) quote.
      std::string body = raw.substr(1);
      auto find_close = [&]() {
        for (size_t k = 0; k < body.size(); ++k) {
          if (q == '"' && body[k] == '\\') {
            ++k;
            continue;
          }
          if (body[k] == q) return k;
        }
        return std::string::npos;
      };
      size_t close;
      while ((close = find_close()) == std::string::npos) {
        if (ln + 1 >= lines.size()) return invalid(where + "unterminated quoted value for " + key);
        body += "\n" + lines[++ln];
      }
      std::string inner = body.substr(0, close);
      if (q == '\'') {
        value = inner;
      } else {
        for (size_t k = 0; k < inner.size(); ++k) {
          if (inner[k] == '\\' && k + 1 < inner.size()) {
            char c = inner[++k];
            value += c == 'n' ? '\n' : c == 't' ? '\t' : c == 'r' ? '\r' : c;
          } else {
            value += inner[k];
          }
        }
        auto r = interpolate_string(value, scoped);
        if (!r) return invalid(where + r.error().message);
        value = *r;
      }
    } else {
      size_t hash = raw.find(" #");
      if (hash != std::string::npos) raw = std::string(engine::base::trim(raw.substr(0, hash)));
      auto r = interpolate_string(raw, scoped);
      if (!r) return invalid(where + r.error().message);
      value = *r;
    }
    out.emplace_back(key, value);
    seen[key] = value;
  }
  return out;
}

engine::base::Result<EnvPairs> parse_raw_env_file(const std::string& text, const std::string& file,
                                                  const Environment& env) {
  EnvPairs out;
  if (first_invalid_utf8(text) != std::string::npos) return invalid(file + ": invalid UTF-8");
  std::vector<std::string> lines = engine::base::split(text, '\n');
  for (size_t ln = 0; ln < lines.size(); ++ln) {
    std::string line = lines[ln];
    if (!line.empty() && line.back() == '\r') line.pop_back();
    size_t start = line.find_first_not_of(" \t");
    if (start == std::string::npos || line[start] == '#') continue;
    size_t eq = line.find('=', start);
    std::string key = line.substr(start, eq == std::string::npos ? std::string::npos : eq - start);
    if (key.empty() || key.find_first_of(" \t") != std::string::npos)
      return invalid(file + ":" + std::to_string(ln + 1) + ": invalid variable name \"" + key + "\"");
    if (eq != std::string::npos) out.emplace_back(key, line.substr(eq + 1));
    else if (auto v = env.get(key)) out.emplace_back(key, *v);
  }
  return out;
}

}  // namespace compose::load
