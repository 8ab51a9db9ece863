#include "engine/api/tcp_address.h"

#include <cctype>

#include "engine/base/strings.h"

namespace engine::api {

engine::base::Result<TcpAddress> parse_tcp_address(const std::string& address, const std::string& default_port) {
  auto bad = [&](const std::string& why) { return engine::base::invalid("address " + address + ": " + why); };
  if (!engine::base::starts_with(address, "tcp://")) return bad("not a tcp:// address");
  std::string rest = address.substr(6);
  if (size_t slash = rest.find('/'); slash != std::string::npos) {
    if (rest.substr(slash) != "/") return bad("a path is not allowed");
    rest.resize(slash);
  }
  TcpAddress out;
  std::string port;
  if (!rest.empty() && rest[0] == '[') {
    size_t close = rest.find(']');
    if (close == std::string::npos) return bad("missing ]");
    out.host = rest.substr(1, close - 1);
    std::string tail = rest.substr(close + 1);
    if (!tail.empty() && tail[0] != ':') return bad("unexpected text after ]");
    if (!tail.empty()) port = tail.substr(1);
  } else if (size_t colon = rest.rfind(':'); colon != std::string::npos) {
    out.host = rest.substr(0, colon);
    port = rest.substr(colon + 1);
    if (out.host.find(':') != std::string::npos) return bad("put an IPv6 address in brackets");
  } else {
    out.host = rest;
  }
  out.port = port.empty() ? default_port : port;
  if (out.port.empty() || out.port.size() > 5) return bad("invalid port \"" + out.port + "\"");
  for (char c : out.port)
    if (!std::isdigit(static_cast<unsigned char>(c))) return bad("invalid port \"" + out.port + "\"");
  if (std::stoi(out.port) > 65535) return bad("invalid port \"" + out.port + "\"");
  return out;
}

}  // namespace engine::api
