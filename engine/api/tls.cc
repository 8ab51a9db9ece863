#include "engine/api/tls.h"

#include <openssl/ssl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <chrono>

namespace engine::api {

namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;
using boost::system::error_code;
using engine::base::Error;
using engine::base::Result;

namespace {

Error tls_error(const std::string& what, const std::string& file, const error_code& ec) {
  return engine::base::invalid(what + " " + file + ": " + ec.message());
}

/// A readable file, or an error naming it (OpenSSL's own message is only "asio.ssl error").
engine::base::Status readable(const std::string& what, const std::string& file) {
  if (::access(file.c_str(), R_OK) != 0) return engine::base::sys_error(what + " " + file);
  return {};
}

/// Loads our certificate chain and key (both or neither).
engine::base::Status load_identity(ssl::context& ctx, const TlsOptions& o) {
  if (o.cert_file.empty() != o.key_file.empty())
    return engine::base::invalid("tls: --tlscert and --tlskey must be given together");
  if (o.cert_file.empty()) return {};
  BERTH_TRY(readable("tls: load certificate", o.cert_file));
  BERTH_TRY(readable("tls: load private key", o.key_file));
  error_code ec;
  ctx.use_certificate_chain_file(o.cert_file, ec);
  if (ec) return tls_error("tls: load certificate", o.cert_file, ec);
  ctx.use_private_key_file(o.key_file, ssl::context::pem, ec);
  if (ec) return tls_error("tls: load private key", o.key_file, ec);
  if (SSL_CTX_check_private_key(ctx.native_handle()) != 1)
    return engine::base::invalid("tls: private key " + o.key_file + " does not match certificate " + o.cert_file);
  return {};
}

std::shared_ptr<ssl::context> base_context(ssl::context::method m) {
  auto ctx = std::make_shared<ssl::context>(m);
  ctx->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                   ssl::context::single_dh_use);
  SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION);
  return ctx;
}

/// Relays one TLS connection and one socketpair end; see start_tls_pump.
class TlsPump : public std::enable_shared_from_this<TlsPump> {
 public:
  TlsPump(std::shared_ptr<TlsStream> tls, TlsSocket plain, bool fin_half_close)
      : tls_(std::move(tls)), plain_(std::move(plain)), timer_(plain_.get_executor()), fin_half_close_(fin_half_close) {}

  void start() {
    read_tls();
    read_plain();
  }

 private:
  enum class Up { ReadingTls, WritingPlain, Done };

  // Peer -> local side.
  void read_tls() {
    if (closed_) return;
    if (closing_) return finish_tls();
    up_ = Up::ReadingTls;
    tls_->async_read_some(asio::buffer(up_buf_),
                          [self = shared_from_this()](error_code ec, size_t n) { self->on_tls_read(ec, n); });
  }
  void on_tls_read(error_code ec, size_t n) {
    if (closed_) return;
    if (ec) {
      up_ = Up::Done;
      if (closing_) return finish_tls();
      // The peer finished sending (close_notify or FIN): the local side sees end of input.
      if (ec == asio::error::eof || ec == ssl::error::stream_truncated) {
        error_code ignored;
        plain_.shutdown(asio::socket_base::shutdown_send, ignored);
        if (local_done_) close_all();  // both directions have ended
        return;
      }
      return close_all();
    }
    up_ = Up::WritingPlain;
    asio::async_write(plain_, asio::buffer(up_buf_.data(), n), [self = shared_from_this()](error_code wec, size_t) {
      if (wec) return self->close_all();
      self->read_tls();
    });
  }

  // Local side -> peer.
  void read_plain() {
    plain_.async_read_some(asio::buffer(down_buf_),
                           [self = shared_from_this()](error_code ec, size_t n) { self->on_plain_read(ec, n); });
  }
  void on_plain_read(error_code ec, size_t n) {
    if (closed_) return;
    if (ec) {
      if (fin_half_close_ && ec == asio::error::eof) {
        // Only our sending has ended (stdin of an attach/exec): say so with a TCP half-close
        // and keep reading, as close_notify would end the whole session here.
        local_done_ = true;
        error_code ignored;
        tls_->next_layer().shutdown(asio::socket_base::shutdown_send, ignored);
        if (up_ == Up::Done) close_all();
        return;
      }
      // The local side is done: end the TLS session once no read is pending on it.
      closing_ = true;
      error_code ignored;
      if (up_ == Up::ReadingTls) tls_->next_layer().cancel(ignored);
      else if (up_ == Up::Done) finish_tls();
      return;
    }
    asio::async_write(*tls_, asio::buffer(down_buf_.data(), n), [self = shared_from_this()](error_code wec, size_t) {
      if (wec) return self->close_all();
      self->read_plain();
    });
  }

  // Sends close_notify (bounded wait for the peer's), then closes both sides.
  void finish_tls() {
    if (finishing_ || closed_) return;
    finishing_ = true;
    timer_.expires_after(std::chrono::seconds(2));
    timer_.async_wait([self = shared_from_this()](error_code ec) {
      if (!ec) self->close_all();
    });
    tls_->async_shutdown([self = shared_from_this()](error_code) { self->close_all(); });
  }

  void close_all() {
    if (closed_) return;
    closed_ = true;
    error_code ignored;
    timer_.cancel();
    tls_->next_layer().close(ignored);
    plain_.close(ignored);
  }

  std::shared_ptr<TlsStream> tls_;
  TlsSocket plain_;
  asio::steady_timer timer_;
  std::array<char, 16384> up_buf_{};
  std::array<char, 16384> down_buf_{};
  Up up_ = Up::Done;
  bool fin_half_close_ = false, local_done_ = false;
  bool closing_ = false, finishing_ = false, closed_ = false;
};

}  // namespace

Result<std::shared_ptr<ssl::context>> make_server_tls_context(const TlsOptions& o) {
  if (o.cert_file.empty() || o.key_file.empty())
    return engine::base::invalid("tls: the daemon needs --tlscert and --tlskey");
  if (o.verify && o.ca_file.empty()) return engine::base::invalid("tls: --tlsverify needs --tlscacert");
  auto ctx = base_context(ssl::context::tls_server);
  BERTH_TRY(load_identity(*ctx, o));
  if (o.verify) {
    BERTH_TRY(readable("tls: load CA certificates", o.ca_file));
    error_code ec;
    ctx->load_verify_file(o.ca_file, ec);
    if (ec) return tls_error("tls: load CA certificates", o.ca_file, ec);
    // Tell clients which CAs we accept (Go's client picks its certificate by this list).
    if (STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(o.ca_file.c_str()))
      SSL_CTX_set_client_CA_list(ctx->native_handle(), names);
    ctx->set_verify_mode(ssl::verify_peer | ssl::verify_fail_if_no_peer_cert);
  } else {
    ctx->set_verify_mode(ssl::verify_none);
  }
  return ctx;
}

Result<std::shared_ptr<ssl::context>> make_client_tls_context(const TlsOptions& o) {
  auto ctx = base_context(ssl::context::tls_client);
  BERTH_TRY(load_identity(*ctx, o));
  if (o.verify) {
    error_code ec;
    if (o.ca_file.empty()) ctx->set_default_verify_paths(ec);
    else ctx->load_verify_file(o.ca_file, ec);
    if (ec) return tls_error("tls: load CA certificates", o.ca_file.empty() ? "(system)" : o.ca_file, ec);
    ctx->set_verify_mode(ssl::verify_peer);
  } else {
    ctx->set_verify_mode(ssl::verify_none);
  }
  return ctx;
}

Result<std::pair<engine::base::UniqueFd, engine::base::UniqueFd>> make_socket_pair() {
  int sv[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) return engine::base::sys_error("socketpair");
  return std::pair{engine::base::UniqueFd(sv[0]), engine::base::UniqueFd(sv[1])};
}

void start_tls_pump(std::shared_ptr<TlsStream> tls, TlsSocket plain, bool fin_half_close) {
  std::make_shared<TlsPump>(std::move(tls), std::move(plain), fin_half_close)->start();
}

}  // namespace engine::api
