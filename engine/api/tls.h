#pragma once
/// TLS for the Engine API over TCP (OpenSSL through Boost.Asio), shared by berthd and the
/// berth client.
///
/// Vocabulary: a *pump* terminates TLS and relays the plaintext to one end of a unix
/// socketpair, so the code on the other end (the HTTP session, a hijacked attach/exec
/// stream, the CLI's raw-stream copy loop) works on an ordinary fd whatever the transport.
/// A pump ends when both sides have ended: the peer's end of input becomes a half-close
/// of the pair; the pair's end becomes a TLS close_notify and the TCP connection's close
/// (see start_tls_pump for the client's half-close).
#include <boost/asio/generic/stream_protocol.hpp>
#include <boost/asio/ssl.hpp>
#include <memory>
#include <string>
#include <utility>

#include "engine/api/tls_options.h"
#include "engine/base/error.h"
#include "engine/base/unique_fd.h"

namespace engine::api {

using TlsSocket = boost::asio::generic::stream_protocol::socket;
using TlsStream = boost::asio::ssl::stream<TlsSocket>;

/// A server context: our certificate and key; with verify, client certificates are required
/// and checked against ca_file. Errors name the file that could not be used.
engine::base::Result<std::shared_ptr<boost::asio::ssl::context>> make_server_tls_context(const TlsOptions& o);
/// A client context: with verify the server certificate is checked against ca_file (or the
/// system store when empty); a client certificate is sent when cert_file/key_file are set.
engine::base::Result<std::shared_ptr<boost::asio::ssl::context>> make_client_tls_context(const TlsOptions& o);

/// A connected pair of unix stream sockets (close-on-exec).
engine::base::Result<std::pair<engine::base::UniqueFd, engine::base::UniqueFd>> make_socket_pair();

/// Relays between an established TLS stream and `plain` (a socketpair end, created on the
/// same executor, which must serialize handlers: a strand or a single-threaded context).
/// Runs on that executor until both directions have ended; owns both from now on.
/// The end of `plain`'s input becomes close_notify (the session is over: server side) or,
/// with fin_half_close, a TCP half-close while the peer's data keeps flowing (client side:
/// stdin of attach/exec ended). berthd reads both as the end of the client's input.
void start_tls_pump(std::shared_ptr<TlsStream> tls, TlsSocket plain, bool fin_half_close = false);

}  // namespace engine::api
