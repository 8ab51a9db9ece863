#pragma once
/// A bearer-token gate in front of a registry, for tests: /v2/ requests without the
/// token it issued get 401 with a `Bearer realm=...,service=...,scope=...` challenge;
/// GET /token issues a token (checking Basic credentials when configured) and records
/// what was asked; authorized requests are forwarded to the backend registry.
#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace test {

class TokenProxy {
 public:
  /// backend: "127.0.0.1:<port>"; user empty = anonymous tokens.
  TokenProxy(std::string backend, std::string user = "", std::string password = "");
  ~TokenProxy();
  TokenProxy(const TokenProxy&) = delete;
  TokenProxy& operator=(const TokenProxy&) = delete;
  const std::string& host() const { return host_; }
  /// Query strings of the token requests received so far.
  std::vector<std::string> token_requests();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::string host_;
};

}  // namespace test
