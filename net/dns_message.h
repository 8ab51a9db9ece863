#pragma once
/// The few DNS wire-format pieces the embedded server needs (RFC 1035): parse a query's
/// question, build an answer with A records, rewrite the id of a forwarded message.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "net/ipv4.h"

namespace net {

constexpr uint16_t kDnsTypeA = 1;
constexpr uint16_t kDnsTypeAAAA = 28;
constexpr uint8_t kRcodeNoError = 0, kRcodeFormErr = 1, kRcodeServFail = 2, kRcodeNxDomain = 3;

/// A query's header and single question.
struct DnsQuery {
  uint16_t id = 0;
  uint16_t flags = 0;
  std::string name;           ///< lowercase, no trailing dot
  uint16_t qtype = 0, qclass = 0;
  std::string question;       ///< raw question bytes (name + type + class)
};

/// Parses a standard query with exactly one question; nullopt if malformed or a response.
std::optional<DnsQuery> parse_dns_query(std::string_view packet);

/// A response to q with the given A records (trimmed to fit 512 bytes), TTL in seconds.
std::string build_dns_response(const DnsQuery& q, uint8_t rcode, const std::vector<Ipv4>& answers,
                               uint32_t ttl = 600);

/// Encodes a query for name/type (for tests and the benchmark).
std::string build_dns_query(uint16_t id, const std::string& name, uint16_t qtype = kDnsTypeA);

/// A records of a response (for tests and the benchmark); rcode through *rcode if given.
std::vector<Ipv4> parse_dns_answers(std::string_view packet, uint8_t* rcode = nullptr);

/// The message id (0 if too short) and a copy with a new id.
uint16_t dns_id(std::string_view packet);
void set_dns_id(std::string& packet, uint16_t id);

}  // namespace net
