#include "tests/integration/image/token_proxy.h"

#include <sys/socket.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "engine/image/registry/auth.h"
#include "engine/image/registry/http.h"

namespace test {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

struct TokenProxy::Impl {
  std::string backend;
  std::string user;
  std::string password;
  std::string token = "berth-test-token";
  asio::io_context io;
  tcp::acceptor acceptor{io};
  std::atomic<bool> stop{false};
  std::thread accept_thread;
  std::mutex mu;
  std::vector<std::thread> conns;
  std::vector<int> fds;
  std::vector<std::string> token_queries;

  void serve(tcp::socket sock) {
    beast::flat_buffer buf;
    engine::image::registry::Endpoint ep;
    ep.host = "127.0.0.1";
    ep.port = backend.substr(backend.find(':') + 1);
    ep.tls = false;
    engine::image::registry::HttpClient backend_client(ep);
    for (;;) {
      http::request<http::string_body> req;
      beast::error_code ec;
      http::read(sock, buf, req, ec);
      if (ec) return;
      http::response<http::string_body> res;
      res.version(11);
      res.keep_alive(true);
      std::string target(req.target());
      std::string auth(req[http::field::authorization]);
      if (target.rfind("/token", 0) == 0) {
        {
          std::lock_guard lock(mu);
          token_queries.push_back(target.substr(target.find('?') + 1));
        }
        bool ok = user.empty() ||
                  auth == engine::image::registry::basic_auth_header({user, password, ""});
        res.result(ok ? http::status::ok : http::status::unauthorized);
        res.set(http::field::content_type, "application/json");
        res.body() = ok ? R"({"token":")" + token + R"(","expires_in":300})" : R"({"details":"bad credentials"})";
      } else if (auth != "Bearer " + token) {
        std::string repo;
        if (target.rfind("/v2/", 0) == 0 && target.size() > 4) {
          size_t end = target.find("/manifests/");
          if (end == std::string::npos) end = target.find("/blobs/");
          if (end != std::string::npos) repo = target.substr(4, end - 4);
        }
        std::string challenge = "Bearer realm=\"http://" + std::string(req[http::field::host]) +
                                "/token\",service=\"berth-test\"";
        if (!repo.empty()) challenge += ",scope=\"repository:" + repo + ":pull\"";
        res.result(http::status::unauthorized);
        res.set(http::field::www_authenticate, challenge);
        res.set(http::field::content_type, "application/json");
        res.body() = R"({"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]})";
      } else {
        engine::image::registry::HttpRequest fwd;
        fwd.method = std::string(req.method_string());
        fwd.target = target;
        if (req.count(http::field::accept)) fwd.headers["Accept"] = std::string(req[http::field::accept]);
        auto r = backend_client.send(fwd);
        if (!r) return;
        res.result(static_cast<unsigned>(r->status));
        for (const char* h : {"content-type", "docker-content-digest", "location"})
          if (!r->header(h).empty()) res.set(h, r->header(h));
        res.body() = r->body;
      }
      res.prepare_payload();
      http::write(sock, res, ec);
      if (ec) return;
    }
  }
};

TokenProxy::TokenProxy(std::string backend, std::string user, std::string password) : impl_(new Impl) {
  impl_->backend = std::move(backend);
  impl_->user = std::move(user);
  impl_->password = std::move(password);
  tcp::endpoint ep(asio::ip::make_address("127.0.0.1"), 0);
  impl_->acceptor.open(ep.protocol());
  impl_->acceptor.bind(ep);
  impl_->acceptor.listen();
  host_ = "127.0.0.1:" + std::to_string(impl_->acceptor.local_endpoint().port());
  impl_->accept_thread = std::thread([this] {
    for (;;) {
      beast::error_code ec;
      tcp::socket sock(impl_->io);
      impl_->acceptor.accept(sock, ec);
      if (ec || impl_->stop) return;
      std::lock_guard lock(impl_->mu);
      impl_->fds.push_back(sock.native_handle());
      impl_->conns.emplace_back([this, s = std::move(sock)]() mutable { impl_->serve(std::move(s)); });
    }
  });
}

TokenProxy::~TokenProxy() {
  impl_->stop = true;
  ::shutdown(impl_->acceptor.native_handle(), SHUT_RDWR);
  impl_->accept_thread.join();
  std::lock_guard lock(impl_->mu);
  for (int fd : impl_->fds) ::shutdown(fd, SHUT_RDWR);
  for (std::thread& t : impl_->conns) t.join();
}

std::vector<std::string> TokenProxy::token_requests() {
  std::lock_guard lock(impl_->mu);
  return impl_->token_queries;
}

}  // namespace test
