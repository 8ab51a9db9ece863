#include "net/dns_message.h"

namespace net {

namespace {

uint16_t get16(std::string_view p, size_t off) { return uint16_t((uint8_t(p[off]) << 8) | uint8_t(p[off + 1])); }

void put16(std::string& out, uint16_t v) {
  out.push_back(char(v >> 8));
  out.push_back(char(v & 0xff));
}

void put32(std::string& out, uint32_t v) {
  put16(out, uint16_t(v >> 16));
  put16(out, uint16_t(v & 0xffff));
}

/// Skips a (possibly compressed) name starting at off; returns the offset after it or 0.
size_t skip_name(std::string_view p, size_t off) {
  while (off < p.size()) {
    uint8_t len = uint8_t(p[off]);
    if (len == 0) return off + 1;
    if ((len & 0xc0) == 0xc0) return off + 2 <= p.size() ? off + 2 : 0;
    off += 1 + len;
  }
  return 0;
}

}  // namespace

std::optional<DnsQuery> parse_dns_query(std::string_view p) {
  if (p.size() < 12) return std::nullopt;
  DnsQuery q;
  q.id = get16(p, 0);
  q.flags = get16(p, 2);
  if (q.flags & 0x8000) return std::nullopt;         // a response, not a query
  if (((q.flags >> 11) & 0xf) != 0) return std::nullopt;  // only standard queries
  if (get16(p, 4) != 1) return std::nullopt;
  size_t off = 12;
  std::string name;
  while (true) {
    if (off >= p.size()) return std::nullopt;
    uint8_t len = uint8_t(p[off]);
    if (len == 0) {
      ++off;
      break;
    }
    if (len > 63 || off + 1 + len > p.size()) return std::nullopt;
    if (!name.empty()) name.push_back('.');
    for (size_t i = 0; i < len; ++i) {
      char c = p[off + 1 + i];
      name.push_back(c >= 'A' && c <= 'Z' ? char(c - 'A' + 'a') : c);
    }
    off += 1 + len;
    if (name.size() > 253) return std::nullopt;
  }
  if (off + 4 > p.size()) return std::nullopt;
  q.qtype = get16(p, off);
  q.qclass = get16(p, off + 2);
  q.name = std::move(name);
  q.question.assign(p.substr(12, off + 4 - 12));
  return q;
}

std::string build_dns_response(const DnsQuery& q, uint8_t rcode, const std::vector<Ipv4>& answers, uint32_t ttl) {
  constexpr size_t kRecord = 16;  // pointer(2) type(2) class(2) ttl(4) rdlen(2) addr(4)
  size_t room = 512 - 12 - q.question.size();
  size_t n = std::min(answers.size(), room / kRecord);
  std::string out;
  out.reserve(12 + q.question.size() + n * kRecord);
  put16(out, q.id);
  uint16_t flags = 0x8000 | 0x0400 | 0x0080 | (q.flags & 0x0100) | rcode;  // QR AA RA, RD copied
  put16(out, flags);
  put16(out, 1);
  put16(out, uint16_t(n));
  put16(out, 0);
  put16(out, 0);
  out.append(q.question);
  for (size_t i = 0; i < n; ++i) {
    put16(out, 0xc00c);  // name: pointer to the question
    put16(out, kDnsTypeA);
    put16(out, 1);
    put32(out, ttl);
    put16(out, 4);
    put32(out, answers[i].v);
  }
  return out;
}

std::string build_dns_query(uint16_t id, const std::string& name, uint16_t qtype) {
  std::string out;
  put16(out, id);
  put16(out, 0x0100);  // RD
  put16(out, 1);
  put16(out, 0);
  put16(out, 0);
  put16(out, 0);
  size_t start = 0;
  while (start <= name.size()) {
    size_t dot = name.find('.', start);
    if (dot == std::string::npos) dot = name.size();
    if (dot > start) {
      out.push_back(char(dot - start));
      out.append(name, start, dot - start);
    }
    start = dot + 1;
  }
  out.push_back(0);
  put16(out, qtype);
  put16(out, 1);
  return out;
}

std::vector<Ipv4> parse_dns_answers(std::string_view p, uint8_t* rcode) {
  std::vector<Ipv4> out;
  if (p.size() < 12) return out;
  if (rcode) *rcode = uint8_t(get16(p, 2) & 0xf);
  uint16_t qd = get16(p, 4), an = get16(p, 6);
  size_t off = 12;
  for (uint16_t i = 0; i < qd && off; ++i) {
    off = skip_name(p, off);
    if (off) off += 4;
  }
  for (uint16_t i = 0; i < an && off && off < p.size(); ++i) {
    off = skip_name(p, off);
    if (!off || off + 10 > p.size()) break;
    uint16_t type = get16(p, off), rdlen = get16(p, off + 8);
    off += 10;
    if (off + rdlen > p.size()) break;
    if (type == kDnsTypeA && rdlen == 4) out.push_back(Ipv4{(uint32_t(get16(p, off)) << 16) | get16(p, off + 2)});
    off += rdlen;
  }
  return out;
}

uint16_t dns_id(std::string_view p) { return p.size() < 2 ? 0 : get16(p, 0); }

void set_dns_id(std::string& p, uint16_t id) {
  if (p.size() < 2) return;
  p[0] = char(id >> 8);
  p[1] = char(id & 0xff);
}

}  // namespace net
