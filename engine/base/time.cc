#include "engine/base/time.h"

#include <time.h>

#include <cctype>
#include <cstdio>

namespace engine::base {

int64_t now_ns() {
  timespec ts{};
  ::clock_gettime(CLOCK_REALTIME, &ts);
  return int64_t(ts.tv_sec) * 1000000000LL + ts.tv_nsec;
}

std::string format_rfc3339_nano(int64_t ns) {
  time_t secs = static_cast<time_t>(ns / 1000000000LL);
  long frac = static_cast<long>(ns % 1000000000LL);
  if (frac < 0) {
    frac += 1000000000L;
    --secs;
  }
  tm t{};
  ::gmtime_r(&secs, &t);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%09ldZ", t.tm_year + 1900, t.tm_mon + 1,
                t.tm_mday, t.tm_hour, t.tm_min, t.tm_sec, frac);
  return buf;
}

std::string format_docker_time(int64_t ns) {
  if (ns == 0) return "0001-01-01T00:00:00Z";
  return format_rfc3339_nano(ns);
}

static bool digits(std::string_view s, size_t pos, size_t n, int& out) {
  if (pos + n > s.size()) return false;
  out = 0;
  for (size_t i = pos; i < pos + n; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
    out = out * 10 + (s[i] - '0');
  }
  return true;
}

Result<int64_t> parse_rfc3339(std::string_view s) {
  int Y, M, D, h, m, sec;
  auto bad = [&] { return invalid("invalid time \"" + std::string(s) + "\""); };
  if (!digits(s, 0, 4, Y) || s.size() < 19 || s[4] != '-' || !digits(s, 5, 2, M) || s[7] != '-' ||
      !digits(s, 8, 2, D) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || !digits(s, 11, 2, h) ||
      s[13] != ':' || !digits(s, 14, 2, m) || s[16] != ':' || !digits(s, 17, 2, sec))
    return bad();
  size_t i = 19;
  int64_t frac = 0;
  if (i < s.size() && s[i] == '.') {
    ++i;
    int n = 0;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) {
      if (n < 9) {
        frac = frac * 10 + (s[i] - '0');
        ++n;
      }
      ++i;
    }
    while (n++ < 9) frac *= 10;
  }
  int64_t offset = 0;
  if (i < s.size() && (s[i] == 'Z' || s[i] == 'z')) {
    ++i;
  } else if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    int oh, om;
    if (!digits(s, i + 1, 2, oh) || i + 3 >= s.size() || s[i + 3] != ':' || !digits(s, i + 4, 2, om)) return bad();
    offset = (oh * 3600 + om * 60) * (s[i] == '+' ? 1 : -1);
    i += 6;
  } else {
    return bad();
  }
  if (i != s.size()) return bad();
  tm t{};
  t.tm_year = Y - 1900;
  t.tm_mon = M - 1;
  t.tm_mday = D;
  t.tm_hour = h;
  t.tm_min = m;
  t.tm_sec = sec;
  int64_t secs = ::timegm(&t) - offset;
  return secs * 1000000000LL + frac;
}

Result<int64_t> parse_duration(std::string_view s) {
  auto bad = [&] { return invalid("invalid duration \"" + std::string(s) + "\""); };
  if (s.empty()) return bad();
  bool neg = false;
  size_t i = 0;
  if (s[0] == '-' || s[0] == '+') {
    neg = s[0] == '-';
    ++i;
  }
  if (s.substr(i) == "0") return int64_t(0);
  long double total = 0;
  bool any = false;
  while (i < s.size()) {
    size_t start = i;
    while (i < s.size() && (std::isdigit(static_cast<unsigned char>(s[i])) || s[i] == '.')) ++i;
    if (start == i) return bad();
    long double num = 0;
    try {
      num = std::stold(std::string(s.substr(start, i - start)));
    } catch (...) {
      return bad();
    }
    size_t ustart = i;
    while (i < s.size() && !std::isdigit(static_cast<unsigned char>(s[i])) && s[i] != '.') ++i;
    std::string_view unit = s.substr(ustart, i - ustart);
    long double mul;
    if (unit == "ns") mul = 1;
    else if (unit == "us" || unit == "\u00b5s" || unit == "\u03bcs") mul = 1e3L;
    else if (unit == "ms") mul = 1e6L;
    else if (unit == "s") mul = 1e9L;
    else if (unit == "m") mul = 60e9L;
    else if (unit == "h") mul = 3600e9L;
    else return bad();
    total += num * mul;
    any = true;
  }
  if (!any) return bad();
  if (total > 9.2e18L) return bad();
  int64_t v = static_cast<int64_t>(total + 0.5L);
  return neg ? -v : v;
}

std::string human_duration(int64_t ns) {
  int64_t secs = ns / 1000000000LL;
  if (secs < 1) return "Less than a second";
  if (secs == 1) return "1 second";
  if (secs < 60) return std::to_string(secs) + " seconds";
  int64_t mins = secs / 60;
  if (mins == 1) return "About a minute";
  if (mins < 60) return std::to_string(mins) + " minutes";
  int64_t hours = (secs + 1800) / 3600;
  if (hours == 1) return "About an hour";
  if (hours < 48) return std::to_string(hours) + " hours";
  if (hours < 24 * 7 * 2) return std::to_string(hours / 24) + " days";
  if (hours < 24 * 30 * 2) return std::to_string(hours / 24 / 7) + " weeks";
  if (hours < 24 * 365 * 2) return std::to_string(hours / 24 / 30) + " months";
  return std::to_string(hours / 24 / 365) + " years";
}

}  // namespace engine::base
