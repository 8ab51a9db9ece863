#pragma once
/// "tcp://host:port" addresses as docker's -H takes them (host may be a name, an IPv4
/// address or a bracketed IPv6 address; an empty host means every interface).
#include <string>

#include "engine/base/error.h"

namespace engine::api {

struct TcpAddress {
  std::string host;  ///< without brackets; "" = any address
  std::string port;  ///< numeric
};

/// Parses "tcp://host[:port]"; the port defaults to default_port. InvalidArgument names the address.
engine::base::Result<TcpAddress> parse_tcp_address(const std::string& address, const std::string& default_port);

}  // namespace engine::api
