#include "compose/model/units.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>

namespace compose::model {
namespace {

bool parse_number(const std::string& s, size_t& i, double& out) {
  size_t start = i;
  while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '.')) ++i;
  if (i == start) return false;
  std::string num = s.substr(start, i - start);
  if (num == "." || std::count(num.begin(), num.end(), '.') > 1) return false;
  out = std::strtod(num.c_str(), nullptr);
  return true;
}

std::string trim_fraction(std::string s) {
  if (s.find('.') == std::string::npos) return s;
  while (!s.empty() && s.back() == '0') s.pop_back();
  if (!s.empty() && s.back() == '.') s.pop_back();
  return s;
}

/// value / unit with up to 9 fractional digits, trailing zeros removed.
std::string fixed(int64_t v, int64_t unit) {
  int64_t whole = v / unit, frac = v % unit;
  std::string out = std::to_string(whole);
  if (frac) {
    std::string f = std::to_string(frac);
    int digits = 0;
    for (int64_t u = unit; u > 1; u /= 10) ++digits;
    f = std::string(digits - f.size(), '0') + f;
    out = trim_fraction(out + "." + f);
  }
  return out;
}

}  // namespace

std::optional<int64_t> parse_duration(const std::string& in) {
  std::string s = in;
  if (s.empty()) return std::nullopt;
  bool neg = false;
  if (s[0] == '-' || s[0] == '+') {
    neg = s[0] == '-';
    s = s.substr(1);
  }
  if (s == "0") return 0;
  bool all_digits = !s.empty() && s.find_first_not_of("0123456789") == std::string::npos;
  if (all_digits) {
    if (s.size() > 11) return std::nullopt;
    int64_t v = std::stoll(s) * 1'000'000'000LL;
    return neg ? -v : v;
  }
  double total = 0;
  size_t i = 0;
  while (i < s.size()) {
    double v;
    if (!parse_number(s, i, v)) return std::nullopt;
    size_t u = i;
    while (i < s.size() && !std::isdigit(static_cast<unsigned char>(s[i])) && s[i] != '.') ++i;
    std::string unit = s.substr(u, i - u);
    double mul;
    if (unit == "ns") mul = 1;
    else if (unit == "us" || unit == "\xC2\xB5s" || unit == "\xCE\xBCs") mul = 1e3;
    else if (unit == "ms") mul = 1e6;
    else if (unit == "s") mul = 1e9;
    else if (unit == "m") mul = 60e9;
    else if (unit == "h") mul = 3600e9;
    else return std::nullopt;
    total += v * mul;
    if (total > 9.2e18) return std::nullopt;
  }
  int64_t ns = static_cast<int64_t>(std::llround(total));
  return neg ? -ns : ns;
}

std::string format_duration(int64_t ns) {
  if (ns == 0) return "0s";
  std::string sign = ns < 0 ? "-" : "";
  uint64_t u = ns < 0 ? static_cast<uint64_t>(-(ns + 1)) + 1 : static_cast<uint64_t>(ns);
  if (u < 1000) return sign + std::to_string(u) + "ns";
  if (u < 1'000'000) return sign + fixed(static_cast<int64_t>(u), 1000) + "\xC2\xB5s";
  if (u < 1'000'000'000) return sign + fixed(static_cast<int64_t>(u), 1'000'000) + "ms";
  uint64_t hours = u / 3'600'000'000'000ULL;
  u -= hours * 3'600'000'000'000ULL;
  uint64_t mins = u / 60'000'000'000ULL;
  u -= mins * 60'000'000'000ULL;
  std::string secs = fixed(static_cast<int64_t>(u), 1'000'000'000) + "s";
  if (hours) return sign + std::to_string(hours) + "h" + std::to_string(mins) + "m" + secs;
  if (mins) return sign + std::to_string(mins) + "m" + secs;
  return sign + secs;
}

std::optional<int64_t> parse_bytes(const std::string& in) {
  size_t i = 0;
  double v;
  std::string s;
  for (char c : in)
    if (!std::isspace(static_cast<unsigned char>(c))) s += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (!parse_number(s, i, v)) return std::nullopt;
  std::string unit = s.substr(i);
  double mul;
  if (unit.empty() || unit == "b") mul = 1;
  else if (unit == "k" || unit == "kb" || unit == "kib") mul = 1024.0;
  else if (unit == "m" || unit == "mb" || unit == "mib") mul = 1024.0 * 1024;
  else if (unit == "g" || unit == "gb" || unit == "gib") mul = 1024.0 * 1024 * 1024;
  else if (unit == "t" || unit == "tb" || unit == "tib") mul = 1024.0 * 1024 * 1024 * 1024;
  else if (unit == "p" || unit == "pb" || unit == "pib") mul = 1024.0 * 1024 * 1024 * 1024 * 1024;
  else return std::nullopt;
  double r = v * mul;
  if (r > 9.2e18) return std::nullopt;
  return static_cast<int64_t>(r);
}

}  // namespace compose::model
