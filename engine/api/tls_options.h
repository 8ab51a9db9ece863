#pragma once
/// TlsOptions: docker's --tls/--tlsverify/--tlscacert/--tlscert/--tlskey, for both ends.
#include <string>

namespace engine::api {

/// Certificate files and mode of a TLS endpoint.
struct TlsOptions {
  bool enabled = false;   ///< --tls (implied by verify)
  bool verify = false;    ///< --tlsverify: the peer must present a certificate signed by ca_file
  std::string ca_file;    ///< --tlscacert
  std::string cert_file;  ///< --tlscert
  std::string key_file;   ///< --tlskey
};

}  // namespace engine::api
