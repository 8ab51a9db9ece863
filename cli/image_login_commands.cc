// berth login, logout: credentials checked by the daemon (POST /auth), stored client-side
// in a 0600 file (credentials_path()) and sent as X-Registry-Auth on pull and push.
#include <termios.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>

#include "cli/context.h"
#include "cli/image_support.h"
#include "engine/image/registry/credentials.h"

namespace cli {

namespace {

constexpr const char* kDefaultServer = "https://index.docker.io/v1/";

struct LoginOpts {
  std::string server, username, password;
  bool password_stdin = false;
};

std::string prompt_line(const char* prompt, bool echo) {
  std::fprintf(stderr, "%s", prompt);
  std::fflush(stderr);
  termios old{};
  bool restore = false;
  if (!echo && ::tcgetattr(STDIN_FILENO, &old) == 0) {
    termios quiet = old;
    quiet.c_lflag &= ~tcflag_t(ECHO);
    restore = ::tcsetattr(STDIN_FILENO, TCSANOW, &quiet) == 0;
  }
  std::string line;
  std::getline(std::cin, line);
  if (restore) {
    ::tcsetattr(STDIN_FILENO, TCSANOW, &old);
    std::fprintf(stderr, "\n");
  }
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

void login(const Context& ctx, LoginOpts o) {
  if (o.server.empty()) o.server = kDefaultServer;
  if (!o.password.empty()) {
    std::fprintf(stderr, "WARNING! Using --password via the CLI is insecure. Use --password-stdin.\n");
    if (o.password_stdin) fail("--password and --password-stdin are mutually exclusive");
  }
  if (o.password_stdin) {
    if (o.username.empty()) fail("Must provide --username with --password-stdin");
    o.password = read_input("-");
    while (!o.password.empty() && (o.password.back() == '\n' || o.password.back() == '\r')) o.password.pop_back();
  }
  if (o.username.empty() || o.password.empty()) {
    if (!::isatty(STDIN_FILENO)) fail("Cannot perform an interactive login from a non TTY device");
    if (o.username.empty()) o.username = prompt_line("Username: ", true);
    if (o.password.empty()) o.password = prompt_line("Password: ", false);
  }
  if (o.username.empty()) fail("Username is required");
  nlohmann::json body = {{"username", o.username}, {"password", o.password}, {"serveraddress", o.server}};
  HttpResponse r = check(ctx.connect().request("POST", "/auth", body.dump()));
  if (!r.ok()) fail_response(r, 1);
  engine::image::registry::CredentialStore store(credentials_path());
  engine::image::AuthConfig auth{o.username, o.password, r.json().value("IdentityToken", "")};
  if (!auth.identity_token.empty()) auth.password.clear();
  if (auto st = store.set(o.server, auth); !st) fail("store credentials: " + st.error().str());
  std::printf("Login Succeeded\n");
}

}  // namespace

void add_login_commands(CLI::App& app, Context& ctx) {
  auto o = std::make_shared<LoginOpts>();
  auto* in = app.add_subcommand("login", "Log in to a registry");
  in->add_option("server", o->server, "SERVER (default Docker Hub)");
  in->add_option("-u,--username", o->username, "Username");
  in->add_option("-p,--password", o->password, "Password or Personal Access Token");
  in->add_flag("--password-stdin", o->password_stdin, "Take the Password or Personal Access Token from stdin");
  in->callback([&ctx, o] { login(ctx, *o); });

  auto server = std::make_shared<std::string>();
  auto* out = app.add_subcommand("logout", "Log out from a registry");
  out->add_option("server", *server, "SERVER (default Docker Hub)");
  out->callback([server] {
    std::string s = server->empty() ? kDefaultServer : *server;
    engine::image::registry::CredentialStore store(credentials_path());
    auto st = store.erase(s);
    if (!st && st.error().code == engine::base::Code::NotFound) {
      std::printf("Not logged in to %s\n", s.c_str());
      return;
    }
    if (!st) fail("remove credentials: " + st.error().str());
    std::printf("Removing login credentials for %s\n", s.c_str());
  });
}

}  // namespace cli
