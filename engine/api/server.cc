#include "engine/api/server.h"

#include <grp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <sys/un.h>
#include <unistd.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <optional>

#include "engine/base/fs.h"
#include "engine/base/log.h"
#include "engine/base/strings.h"

namespace engine::api {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using local = asio::local::stream_protocol;
using engine::base::Status;

struct Server::Impl {
  Impl(const Router& r, ServerOptions o) : router(r), opts(std::move(o)), pool(size_t(opts.workers)) {}
  const Router& router;
  ServerOptions opts;
  asio::io_context ioc;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work{ioc.get_executor()};
  std::vector<std::unique_ptr<local::acceptor>> acceptors;
  std::vector<std::string> socket_paths;
  asio::thread_pool pool;
  std::atomic<size_t> conns{0};
  std::atomic<bool> stopping{false};

  void accept(local::acceptor& a);
};

namespace {

std::string url_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out += ' ';
    } else if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
               std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

std::string reason_phrase(int status) {
  std::string_view r = http::obsolete_reason(static_cast<http::status>(status));
  return r.empty() ? "Unknown" : std::string(r);
}

bool write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data.remove_prefix(size_t(n));
  }
  return true;
}

class Session;

/// Answers one request synchronously on the session's socket (from a worker thread).
class SyncExchange final : public Exchange {
 public:
  SyncExchange(Request req, Session& s, bool keep_alive) : Exchange(std::move(req)), s_(s), keep_alive_(keep_alive) {}

  void respond(Response r) override;
  bool begin_stream(int status, const std::string& content_type) override;
  bool write_chunk(std::string_view data) override;
  void end_stream() override;
  int hijack(bool upgrade, const std::string& content_type, std::string* pending) override;
  bool client_gone() override;
  bool responded() const override { return state_ != State::Fresh; }

  bool keep_open() const { return keep_alive_ && ok_ && state_ != State::Hijacked && state_ != State::Fresh; }
  bool hijacked() const { return state_ == State::Hijacked; }

 private:
  enum class State { Fresh, Responded, Streaming, Hijacked };
  std::string common_headers() const;
  Session& s_;
  bool keep_alive_;
  bool ok_ = true;
  State state_ = State::Fresh;
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(Server::Impl& srv, local::socket sock) : srv_(srv), sock_(std::move(sock)), timer_(srv.ioc) {
    ++srv_.conns;
  }
  ~Session() { --srv_.conns; }

  void start() { read_header(); }
  int fd() { return sock_.native_handle(); }
  std::string take_pending() {
    std::string p(static_cast<const char*>(buf_.data().data()), buf_.size());
    buf_.consume(buf_.size());
    return p;
  }
  void close() {
    beast::error_code ec;
    sock_.shutdown(local::socket::shutdown_both, ec);
    sock_.close(ec);
  }

 private:
  void arm_timer(int seconds) {
    reading_ = true;
    timer_.expires_after(std::chrono::seconds(seconds));
    timer_.async_wait([self = shared_from_this()](beast::error_code ec) {
      if (!ec && self->reading_) self->close();
    });
  }

  void read_header() {
    parser_.emplace();
    parser_->header_limit(64 * 1024);
    parser_->body_limit(16u << 20);
    arm_timer(srv_.opts.header_timeout_s);
    http::async_read_header(sock_, buf_, *parser_,
                            [self = shared_from_this()](beast::error_code ec, size_t) { self->on_header(ec); });
  }

  void on_header(beast::error_code ec) {
    if (ec) {
      reading_ = false;
      timer_.cancel();
      if (ec == http::error::body_limit) return reply_and_close(413, "request body too large");
      if (ec != http::error::end_of_stream && ec != asio::error::eof && ec != asio::error::operation_aborted &&
          ec != asio::error::connection_reset)
        reply_and_close(400, "malformed request: " + ec.message());
      else
        close();
      return;
    }
    auto& h = parser_->get();
    std::string target(h.target());
    std::string path = target.substr(0, target.find('?'));
    match_ = srv_.router.match(std::string(h.method_string()), path);
    if (match_.route) parser_->body_limit(match_.route->max_body);
    timer_.expires_after(std::chrono::seconds(srv_.opts.body_timeout_s));
    timer_.async_wait([self = shared_from_this()](beast::error_code tec) {
      if (!tec && self->reading_) self->close();
    });
    http::async_read(sock_, buf_, *parser_,
                     [self = shared_from_this()](beast::error_code rec, size_t) { self->on_body(rec); });
  }

  void on_body(beast::error_code ec) {
    reading_ = false;
    timer_.cancel();
    if (ec == http::error::body_limit) return reply_and_close(413, "request body too large");
    if (ec) {
      if (ec == asio::error::operation_aborted) return close();
      return reply_and_close(400, "malformed request: " + ec.message());
    }
    auto msg = parser_->release();
    if (!match_.route) {
      std::string body = nlohmann::json{{"message", match_.message}}.dump() + "\n";
      return reply(match_.status, body, msg.keep_alive());
    }
    Request req;
    req.method = std::string(msg.method_string());
    req.target = std::string(msg.target());
    size_t qpos = req.target.find('?');
    std::string path = req.target.substr(0, qpos);
    req.api_version = match_.api_version;
    req.params = match_.params;
    // Path without the version prefix, for handlers and logs.
    if (path.size() > 2 && path[1] == 'v' && std::isdigit(static_cast<unsigned char>(path[2]))) {
      size_t slash = path.find('/', 1);
      path = slash == std::string::npos ? "/" : path.substr(slash);
    }
    req.path = path;
    if (qpos != std::string::npos) {
      for (const auto& kv : engine::base::split(std::string_view(req.target).substr(qpos + 1), '&')) {
        if (kv.empty()) continue;
        size_t eq = kv.find('=');
        req.query.emplace(url_decode(kv.substr(0, eq)), eq == std::string::npos ? "" : url_decode(kv.substr(eq + 1)));
      }
    }
    for (const auto& f : msg) {
      std::string name(f.name_string());
      for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      req.headers[name] = std::string(f.value());
    }
    req.body = std::move(msg.body());
    bool keep_alive = msg.keep_alive();
    const Route* route = match_.route;
    engine::base::log_debug("api: " + req.method + " " + req.target);
    auto run = [self = shared_from_this(), route, keep_alive, req = std::move(req)]() mutable {
      self->run_handler(route, std::move(req), keep_alive);
    };
    if (route->streaming) {
      std::thread(std::move(run)).detach();
    } else {
      asio::post(srv_.pool, std::move(run));
    }
  }

  void run_handler(const Route* route, Request req, bool keep_alive) {
    SyncExchange ex(std::move(req), *this, keep_alive);
    try {
      route->handler(ex);
      if (!ex.responded()) ex.respond_error(engine::base::internal("handler sent no response"));
    } catch (const std::exception& e) {
      engine::base::log_error(std::string("api: handler ") + route->pattern + " threw: " + e.what());
      if (!ex.responded()) ex.respond_error(engine::base::internal(e.what()));
      else ex.end_stream();
    }
    if (ex.hijacked()) return;  // the handler owns (and has closed) a dup of the socket
    if (ex.keep_open() && !srv_.stopping) {
      asio::post(srv_.ioc, [self = shared_from_this()] { self->read_header(); });
    } else {
      asio::post(srv_.ioc, [self = shared_from_this()] { self->close(); });
    }
  }

  void reply(int status, const std::string& body, bool keep_alive) {
    std::string head = "HTTP/1.1 " + std::to_string(status) + " " + reason_phrase(status) +
                       "\r\nContent-Type: application/json\r\nServer: berthd\r\nApi-Version: " +
                       std::string(kApiVersion) + "\r\nContent-Length: " + std::to_string(body.size()) +
                       (keep_alive ? "\r\n\r\n" : "\r\nConnection: close\r\n\r\n");
    bool ok = write_all(fd(), head + body);
    if (ok && keep_alive && !srv_.stopping) read_header();
    else close();
  }
  void reply_and_close(int status, const std::string& message) {
    reply(status, nlohmann::json{{"message", message}}.dump() + "\n", false);
  }

  Server::Impl& srv_;
  local::socket sock_;
  beast::flat_buffer buf_;
  asio::steady_timer timer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  Router::Match match_;
  std::atomic<bool> reading_{false};
};

std::string SyncExchange::common_headers() const {
  return "Server: berthd\r\nApi-Version: " + std::string(kApiVersion) +
         "\r\nDocker-Experimental: false\r\nOstype: linux\r\n";
}

void SyncExchange::respond(Response r) {
  if (state_ != State::Fresh) return;
  state_ = State::Responded;
  std::string head = "HTTP/1.1 " + std::to_string(r.status) + " " + reason_phrase(r.status) + "\r\n" + common_headers();
  if (!r.content_type.empty()) head += "Content-Type: " + r.content_type + "\r\n";
  for (const auto& [k, v] : r.headers) head += k + ": " + v + "\r\n";
  bool no_body = r.status == 204 || r.status == 304 || r.status < 200;
  if (!no_body) head += "Content-Length: " + std::to_string(r.body.size()) + "\r\n";
  if (!keep_alive_) head += "Connection: close\r\n";
  head += "\r\n";
  if (!no_body && req_.method != "HEAD") head += r.body;
  ok_ = write_all(s_.fd(), head);
}

bool SyncExchange::begin_stream(int status, const std::string& content_type) {
  if (state_ != State::Fresh) return false;
  state_ = State::Streaming;
  std::string head = "HTTP/1.1 " + std::to_string(status) + " " + reason_phrase(status) + "\r\n" + common_headers() +
                     "Content-Type: " + content_type + "\r\nTransfer-Encoding: chunked\r\n";
  if (!keep_alive_) head += "Connection: close\r\n";
  head += "\r\n";
  ok_ = write_all(s_.fd(), head);
  return ok_;
}

bool SyncExchange::write_chunk(std::string_view data) {
  if (state_ != State::Streaming || !ok_) return false;
  if (data.empty()) return true;
  char len[32];
  std::snprintf(len, sizeof len, "%zx\r\n", data.size());
  std::string chunk = len;
  chunk.append(data);
  chunk += "\r\n";
  ok_ = write_all(s_.fd(), chunk);
  return ok_;
}

void SyncExchange::end_stream() {
  if (state_ != State::Streaming) return;
  if (ok_) ok_ = write_all(s_.fd(), "0\r\n\r\n");
  state_ = State::Responded;
}

int SyncExchange::hijack(bool upgrade, const std::string& content_type, std::string* pending) {
  if (state_ != State::Fresh) return -1;
  state_ = State::Hijacked;
  std::string head = upgrade ? "HTTP/1.1 101 UPGRADED\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n"
                             : "HTTP/1.1 200 OK\r\n";
  head += common_headers() + "Content-Type: " + content_type + "\r\n\r\n";
  int fd = s_.fd();
  if (!write_all(fd, head)) return -1;
  if (pending) *pending = s_.take_pending();
  int dupfd = ::fcntl(fd, F_DUPFD_CLOEXEC, 3);
  // The session closes its own fd when it ends; the handler owns the duplicate.
  return dupfd;
}

bool SyncExchange::client_gone() {
  // POLLHUP: the peer closed both directions. A half-close (no more requests) is not leaving.
  pollfd p{s_.fd(), 0, 0};
  if (::poll(&p, 1, 0) <= 0) return false;
  return (p.revents & (POLLHUP | POLLERR)) != 0;
}

}  // namespace

void Server::Impl::accept(local::acceptor& a) {
  a.async_accept([this, &a](beast::error_code ec, local::socket sock) {
    if (ec) {
      if (ec == asio::error::operation_aborted || stopping) return;
      engine::base::log_warn("api: accept: " + ec.message());
      // EMFILE and friends: back off briefly instead of spinning.
      auto t = std::make_shared<asio::steady_timer>(ioc, std::chrono::milliseconds(50));
      t->async_wait([this, &a, t](beast::error_code) { accept(a); });
      return;
    }
    ::fcntl(sock.native_handle(), F_SETFD, FD_CLOEXEC);
    if (conns >= opts.max_connections) {
      beast::error_code ignored;
      sock.close(ignored);
    } else {
      std::make_shared<Session>(*this, std::move(sock))->start();
    }
    accept(a);
  });
}

Server::Server(const Router& router, ServerOptions opts) : impl_(std::make_unique<Impl>(router, std::move(opts))) {}

Server::~Server() {
  stop();
  impl_->pool.join();
  for (const auto& p : impl_->socket_paths) ::unlink(p.c_str());
}

Status Server::listen(const std::string& host) {
  const std::string prefix = "unix://";
  if (!engine::base::starts_with(host, prefix)) {
    return engine::base::invalid("listen " + host + ": only unix:// hosts are supported (tcp needs the TLS work of the API issue)");
  }
  std::string path = host.substr(prefix.size());
  if (path.empty() || path.size() >= sizeof(sockaddr_un{}.sun_path))
    return engine::base::invalid("listen " + host + ": bad socket path");
  std::string dir = std::filesystem::path(path).parent_path().string();
  if (!dir.empty()) BERTH_TRY(engine::base::make_dirs(dir, 0755));
  if (engine::base::path_exists(path)) {
    // A live daemon answers on it; a stale file from a crash does not.
    local::socket probe(impl_->ioc);
    beast::error_code ec;
    probe.connect(local::endpoint(path), ec);
    if (!ec) return engine::base::conflict("listen " + path + ": another daemon is already listening on this socket");
    ::unlink(path.c_str());
  }
  auto acc = std::make_unique<local::acceptor>(impl_->ioc);
  beast::error_code ec;
  acc->open(local{}, ec);
  if (!ec) acc->bind(local::endpoint(path), ec);
  if (!ec) acc->listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return engine::base::Error{engine::base::Code::Internal, ec.value(), "listen " + path};
  ::fcntl(acc->native_handle(), F_SETFD, FD_CLOEXEC);
  gid_t gid = 0;
  if (group* g = ::getgrnam(impl_->opts.socket_group.c_str())) gid = g->gr_gid;
  if (::chown(path.c_str(), 0, gid) != 0 && ::geteuid() == 0) return engine::base::sys_error("chown " + path);
  if (::chmod(path.c_str(), 0660) != 0) return engine::base::sys_error("chmod " + path);
  impl_->socket_paths.push_back(path);
  impl_->accept(*acc);
  impl_->acceptors.push_back(std::move(acc));
  return {};
}

void Server::run() {
  std::vector<std::thread> threads;
  for (int i = 1; i < impl_->opts.io_threads; ++i) threads.emplace_back([this] { impl_->ioc.run(); });
  impl_->ioc.run();
  for (auto& t : threads) t.join();
}

void Server::stop() {
  if (impl_->stopping.exchange(true)) return;
  asio::post(impl_->ioc, [this] {
    for (auto& a : impl_->acceptors) {
      beast::error_code ec;
      a->close(ec);
    }
    impl_->work.reset();
    impl_->ioc.stop();
  });
}

size_t Server::connections() const { return impl_->conns; }

}  // namespace engine::api
