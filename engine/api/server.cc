#include "engine/api/server.h"

#include <grp.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/un.h>
#include <unistd.h>

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cstdio>
#include <filesystem>
#include <mutex>
#include <optional>

#include "engine/api/request_parse.h"
#include "engine/api/tcp_address.h"
#include "engine/api/tls.h"
#include "engine/base/fs.h"
#include "engine/base/log.h"
#include "engine/base/strings.h"

namespace engine::api {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using local = asio::local::stream_protocol;
using generic = asio::generic::stream_protocol;
using Socket = generic::socket;
using Acceptor = asio::basic_socket_acceptor<generic>;
using engine::base::Status;

/// One bound socket: unix, plain TCP (loopback) or TLS.
struct Listener {
  Acceptor acceptor;
  bool tls = false;
};

struct Server::Impl {
  Impl(const Router& r, ServerOptions o) : router(r), opts(std::move(o)), pool(size_t(opts.workers)) {}
  const Router& router;
  ServerOptions opts;
  asio::io_context ioc;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work{ioc.get_executor()};
  std::vector<std::unique_ptr<Listener>> listeners;
  std::vector<std::string> socket_paths;
  std::shared_ptr<asio::ssl::context> tls_ctx;
  asio::thread_pool pool;
  std::atomic<size_t> conns{0};
  std::atomic<bool> stopping{false};

  void accept(Listener& l);
  /// Serves one accepted connection (TLS ones through a pump once the handshake is done).
  void serve(Socket sock, bool tls);
  Status listen_unix(const std::string& host);
  Status listen_tcp(const std::string& host);
  void add_listener(std::unique_ptr<Listener> l);
};

namespace {

std::string reason_phrase(int status) {
  std::string_view r = http::obsolete_reason(static_cast<http::status>(status));
  return r.empty() ? "Unknown" : std::string(r);
}

bool write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) continue;
      // Asio leaves the socket non-blocking: wait (bounded) for the slow reader to drain it.
      if (errno == EAGAIN || errno == EWOULDBLOCK) {
        pollfd p{fd, POLLOUT, 0};
        if (::poll(&p, 1, 60000) > 0 && !(p.revents & (POLLERR | POLLHUP | POLLNVAL))) continue;
      }
      return false;
    }
    data.remove_prefix(size_t(n));
  }
  return true;
}

/// nlohmann's message without its "[json.exception.type_error.302] " prefix.
std::string json_error_text(const std::exception& e) {
  std::string_view w = e.what();
  size_t close = w.find("] ");
  return std::string(close == std::string_view::npos ? w : w.substr(close + 2));
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
  Session(Server::Impl& srv, Socket sock) : srv_(srv), sock_(std::move(sock)), timer_(srv.ioc) {
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
    sock_.shutdown(Socket::shutdown_both, ec);
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
    configure_parser(*parser_);
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
    match_ = srv_.router.match(std::string(h.method_string()),
                               target_path(std::string_view(h.target().data(), h.target().size())));
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
    bool keep_alive = msg.keep_alive();
    Request req = make_request(std::move(msg), match_);
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
    } catch (const nlohmann::json::type_error& e) {
      // A body member of the wrong type reached a decoder: the client's error, as Docker says it (400).
      if (!ex.responded()) ex.respond_error(engine::base::invalid(std::string("invalid request body: ") + json_error_text(e)));
      else ex.end_stream();
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
  Socket sock_;
  beast::flat_buffer buf_;
  asio::steady_timer timer_;
  std::optional<HttpRequestParser> parser_;
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

void Server::Impl::accept(Listener& l) {
  // TLS connections get a strand: their pump's two directions share the stream.
  asio::any_io_executor ex = l.tls ? asio::any_io_executor(asio::make_strand(ioc)) : ioc.get_executor();
  l.acceptor.async_accept(ex, [this, &l](beast::error_code ec, Socket sock) {
    if (ec) {
      if (ec == asio::error::operation_aborted || stopping) return;
      engine::base::log_warn("api: accept: " + ec.message());
      // EMFILE and friends: back off briefly instead of spinning.
      auto t = std::make_shared<asio::steady_timer>(ioc, std::chrono::milliseconds(50));
      t->async_wait([this, &l, t](beast::error_code) { accept(l); });
      return;
    }
    ::fcntl(sock.native_handle(), F_SETFD, FD_CLOEXEC);
    if (conns >= opts.max_connections) {
      beast::error_code ignored;
      sock.close(ignored);
    } else {
      serve(std::move(sock), l.tls);
    }
    accept(l);
  });
}

void Server::Impl::serve(Socket sock, bool tls) {
  if (sock.local_endpoint().protocol().family() != AF_UNIX) {
    int one = 1;
    ::setsockopt(sock.native_handle(), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  }
  if (!tls) return std::make_shared<Session>(*this, std::move(sock))->start();
  auto stream = std::make_shared<TlsStream>(std::move(sock), *tls_ctx);
  auto timer = std::make_shared<asio::steady_timer>(stream->get_executor(), std::chrono::seconds(opts.header_timeout_s));
  timer->async_wait([stream](beast::error_code ec) {
    beast::error_code ignored;
    if (!ec) stream->next_layer().close(ignored);
  });
  stream->async_handshake(asio::ssl::stream_base::server, [this, stream, timer](beast::error_code ec) {
    timer->cancel();
    if (ec) return engine::base::log_debug("api: tls handshake: " + ec.message());
    auto pair = make_socket_pair();
    if (!pair) return engine::base::log_warn("api: " + pair.error().str());
    Socket inner(ioc), outer(stream->get_executor());
    beast::error_code aec;
    inner.assign(generic(AF_UNIX, SOCK_STREAM), pair->first.release(), aec);
    if (!aec) outer.assign(generic(AF_UNIX, SOCK_STREAM), pair->second.release(), aec);
    if (aec) return engine::base::log_warn("api: tls session: " + aec.message());
    start_tls_pump(stream, std::move(outer));
    std::make_shared<Session>(*this, std::move(inner))->start();
  });
}

void Server::Impl::add_listener(std::unique_ptr<Listener> l) {
  ::fcntl(l->acceptor.native_handle(), F_SETFD, FD_CLOEXEC);
  accept(*l);
  listeners.push_back(std::move(l));
}

Status Server::Impl::listen_unix(const std::string& host) {
  std::string path = host.substr(7);
  if (path.empty() || path.size() >= sizeof(sockaddr_un{}.sun_path))
    return engine::base::invalid("listen " + host + ": bad socket path");
  std::string dir = std::filesystem::path(path).parent_path().string();
  if (!dir.empty()) BERTH_TRY(engine::base::make_dirs(dir, 0755));
  if (engine::base::path_exists(path)) {
    // A live daemon answers on it; a stale file from a crash does not.
    local::socket probe(ioc);
    beast::error_code ec;
    probe.connect(local::endpoint(path), ec);
    if (!ec) return engine::base::conflict("listen " + path + ": another daemon is already listening on this socket");
    ::unlink(path.c_str());
  }
  auto l = std::make_unique<Listener>(Listener{Acceptor(ioc), false});
  beast::error_code ec;
  generic::endpoint ep{local::endpoint(path)};
  l->acceptor.open(ep.protocol(), ec);
  if (!ec) l->acceptor.bind(ep, ec);
  if (!ec) l->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return engine::base::Error{engine::base::Code::Internal, ec.value(), "listen " + path};
  gid_t gid = 0;
  if (group* g = ::getgrnam(opts.socket_group.c_str())) gid = g->gr_gid;
  if (::chown(path.c_str(), 0, gid) != 0 && ::geteuid() == 0) return engine::base::sys_error("chown " + path);
  if (::chmod(path.c_str(), 0660) != 0) return engine::base::sys_error("chmod " + path);
  socket_paths.push_back(path);
  add_listener(std::move(l));
  return {};
}

Status Server::Impl::listen_tcp(const std::string& host) {
  bool tls = opts.tls.enabled || opts.tls.verify;
  auto addr = parse_tcp_address(host, tls ? "2376" : "2375");
  if (!addr) return addr.take_error().wrap("listen");
  asio::ip::tcp::resolver resolver(ioc);
  beast::error_code ec;
  auto found = resolver.resolve(addr->host, addr->port, asio::ip::tcp::resolver::passive, ec);
  if (ec || found.empty()) return engine::base::invalid("listen " + host + ": resolve " + addr->host + ": " + ec.message());
  asio::ip::tcp::endpoint tep = found.begin()->endpoint();
  // Anyone who reaches the API is root on this host: off loopback, only verified clients.
  if (!tep.address().is_loopback() && !opts.tls.verify)
    return engine::base::invalid("listen " + host + ": a TCP listener outside loopback requires --tlsverify with " +
                                 "--tlscacert, --tlscert and --tlskey (clients must present a certificate signed by the CA)");
  if (tls && !tls_ctx) {
    auto ctx = make_server_tls_context(opts.tls);
    if (!ctx) return ctx.take_error().wrap("listen " + host);
    tls_ctx = std::move(*ctx);
  }
  auto l = std::make_unique<Listener>(Listener{Acceptor(ioc), tls});
  generic::endpoint ep{tep};
  l->acceptor.open(ep.protocol(), ec);
  if (!ec) l->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) l->acceptor.bind(ep, ec);
  if (!ec) l->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) return engine::base::Error{engine::base::Code::Internal, ec.value(), "listen " + host};
  add_listener(std::move(l));
  return {};
}

Server::Server(const Router& router, ServerOptions opts) : impl_(std::make_unique<Impl>(router, std::move(opts))) {}

Server::~Server() {
  stop();
  impl_->pool.join();
  for (const auto& p : impl_->socket_paths) ::unlink(p.c_str());
}

Status Server::listen(const std::string& host) {
  if (engine::base::starts_with(host, "unix://")) return impl_->listen_unix(host);
  if (engine::base::starts_with(host, "tcp://")) return impl_->listen_tcp(host);
  return engine::base::invalid("listen " + host + ": use unix:///path or tcp://host:port");
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
    for (auto& l : impl_->listeners) {
      beast::error_code ec;
      l->acceptor.close(ec);
    }
    impl_->work.reset();
    impl_->ioc.stop();
  });
}

size_t Server::connections() const { return impl_->conns; }

}  // namespace engine::api
