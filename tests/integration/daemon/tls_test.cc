// berthd on TCP: plain HTTP on loopback only, TLS with verified client certificates
// (--tlsverify), driven by berth and by the stock docker CLI.
#include <doctest/doctest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <stdexcept>

#include "engine/base/fs.h"
#include "engine/base/unique_fd.h"
#include "tests/integration/daemon_fixture.h"

namespace {

/// A TCP port nobody listens on right now (bound, read back, released).
int free_port() {
  engine::base::UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
      ::getsockname(fd.get(), reinterpret_cast<sockaddr*>(&a), &len) != 0)
    throw std::runtime_error("no free port");
  return ntohs(a.sin_port);
}

void openssl(const std::vector<std::string>& args, const std::string& dir) {
  std::vector<std::string> argv = {"openssl"};
  argv.insert(argv.end(), args.begin(), args.end());
  auto r = test::run_command(argv, {"RANDFILE=" + dir + "/.rnd"});
  if (r.exit_code != 0) throw std::runtime_error("openssl " + args[0] + ": " + r.err);
}

/// A CA, a server certificate for 127.0.0.1 and a client certificate, as docker's guide
/// makes them: <dir>/ca.pem, server-{cert,key}.pem and the client's cert.pem, key.pem.
void make_certificates(const std::string& dir) {
  const std::vector<std::string> ec = {"-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"};
  auto with = [&](std::vector<std::string> a) {
    a.insert(a.begin() + 1, ec.begin(), ec.end());
    return a;
  };
  openssl(with({"req", "-x509", "-days", "2", "-subj", "/CN=berth test CA", "-keyout", dir + "/ca-key.pem", "-out",
                dir + "/ca.pem"}),
          dir);
  test::write_text(dir + "/server.ext", "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n");
  test::write_text(dir + "/client.ext", "extendedKeyUsage=clientAuth\n");
  for (std::string who : {"server", "client"}) {
    std::string key = who == "server" ? dir + "/server-key.pem" : dir + "/key.pem";
    std::string cert = who == "server" ? dir + "/server-cert.pem" : dir + "/cert.pem";
    openssl(with({"req", "-subj", "/CN=" + who, "-keyout", key, "-out", dir + "/" + who + ".csr"}), dir);
    openssl({"x509", "-req", "-days", "2", "-in", dir + "/" + who + ".csr", "-CA", dir + "/ca.pem", "-CAkey",
             dir + "/ca-key.pem", "-CAcreateserial", "-out", cert, "-extfile", dir + "/" + who + ".ext"},
            dir);
  }
}

/// berthd with extra listener arguments (the fixture only takes a unix socket), on a temp
/// root with unique bridge and table names; stopped and cleaned up on destruction.
class TcpDaemon {
 public:
  explicit TcpDaemon(const std::vector<std::string>& extra) : dir_("berth-tls") {
    unix_host_ = "unix://" + (dir_ / "berth.sock");
    std::string tag = std::to_string(::getpid() % 100000);
    bridge_ = "btt" + tag;
    table_ = "berth_tls_" + tag;
    std::vector<std::string> args = {test::bin("berthd"), "--root", dir_ / "root", "--exec-root", dir_ / "run",
                                     "--host", unix_host_, "--bridge", bridge_, "--nft-table", table_};
    args.insert(args.end(), extra.begin(), extra.end());
    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error("fork berthd");
    if (pid_ == 0) {
      std::vector<char*> argv;
      for (auto& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      FILE* f = std::freopen((dir_ / "berthd.log").c_str(), "a", stderr);
      (void)f;
      ::execv(argv[0], argv.data());
      ::_exit(127);
    }
    cli::ApiClient c(unix_host_);
    for (int i = 0; i < 500 && !c.ping().ok(); ++i) {
      if (::waitpid(pid_, nullptr, WNOHANG) == pid_) {
        pid_ = -1;
        throw std::runtime_error("berthd exited at start: " + engine::base::read_file(dir_ / "berthd.log").value_or(""));
      }
      timespec ts{0, 10'000'000};
      ::nanosleep(&ts, nullptr);
    }
  }
  ~TcpDaemon() {
    // Containers outlive a stopped daemon (live restore): remove them first, also after a failure.
    cli::ApiClient c(unix_host_);
    if (auto list = c.request("GET", "/containers/json?all=1"); pid_ > 0 && list && list->ok())
      for (const auto& ct : list->json()) (void)c.request("DELETE", "/containers/" + ct.value("Id", "") + "?force=1");
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      ::waitpid(pid_, nullptr, 0);
    }
    test::run_command({"ip", "link", "del", bridge_});
    test::run_command({"nft", "delete", "table", "ip", table_});
  }
  const std::string& unix_host() const { return unix_host_; }
  std::string dir(const std::string& rel) const { return dir_ / rel; }

 private:
  test::TempDir dir_;
  std::string unix_host_, bridge_, table_;
  int pid_ = -1;
};

}  // namespace

TEST_CASE("tls: berthd with --tlsverify serves berth and the docker CLI, and refuses clients without a certificate") {
  test::TempDir certs("berth-certs");
  make_certificates(certs.path());
  int port = free_port();
  std::string tcp = "tcp://127.0.0.1:" + std::to_string(port);
  TcpDaemon d({"--host", tcp, "--tlsverify", "--tlscacert", certs / "ca.pem", "--tlscert", certs / "server-cert.pem",
               "--tlskey", certs / "server-key.pem"});
  auto tar = engine::base::read_file(test::busybox_rootfs_tar());
  REQUIRE(tar);
  auto imported = cli::ApiClient(d.unix_host()).request("POST", "/images/create?fromSrc=-&repo=busybox&tag=latest", *tar,
                                                        "application/x-tar");
  REQUIRE((imported && imported->ok()));

  std::string berth = test::bin("berth");
  std::string home = d.dir("home");
  // Flags, as `docker --tlsverify --tlscacert ...` takes them.
  auto version = test::run_command({berth, "-H", tcp, "--tlsverify", "--tlscacert", certs / "ca.pem", "--tlscert",
                                    certs / "cert.pem", "--tlskey", certs / "key.pem", "version"},
                                   {"HOME=" + home, "BERTH_AUTOSTART=0"});
  INFO(version.err);
  CHECK(version.exit_code == 0);
  CHECK(version.out.find("Server") != std::string::npos);
  // Environment, as the docker CLI reads it: a hijacked attach stream over TLS.
  std::vector<std::string> env = {"DOCKER_HOST=" + tcp, "DOCKER_TLS_VERIFY=1", "DOCKER_CERT_PATH=" + certs.path(),
                                  "HOME=" + home, "BERTH_AUTOSTART=0"};
  auto run = test::run_command({berth, "run", "--rm", "busybox", "echo", "hi"}, env);
  INFO(run.err);
  CHECK(run.exit_code == 0);
  CHECK(run.out == "hi\n");
  // stdin over TLS: its end reaches the container (cat exits) and the output still arrives.
  REQUIRE(test::run_command({berth, "run", "-d", "--name", "tlsc", "busybox", "sleep", "60"}, env).exit_code == 0);
  auto piped = test::run_command({berth, "exec", "-i", "tlsc", "cat"}, env, 30, "piped over tls\n");
  CHECK(piped.exit_code == 0);
  CHECK(piped.out == "piped over tls\n");

  // No client certificate: the daemon ends the handshake.
  auto refused = test::run_command({berth, "-H", tcp, "--tls", "version"}, {"HOME=" + home, "BERTH_AUTOSTART=0"});
  CHECK(refused.exit_code == 125);
  engine::api::TlsOptions anonymous;
  anonymous.verify = true;
  anonymous.ca_file = certs / "ca.pem";
  CHECK_FALSE(cli::ApiClient(tcp, anonymous).ping().ok());
  // Plain HTTP on the TLS port gets nothing either.
  CHECK_FALSE(cli::ApiClient(tcp).ping().ok());

  std::string docker = ::access("/usr/local/bin/docker", X_OK) == 0 ? "/usr/local/bin/docker" : "/usr/bin/docker";
  REQUIRE_MESSAGE(::access(docker.c_str(), X_OK) == 0, "no docker CLI installed (scripts/setup installs docker.io's client)");
  std::vector<std::string> denv = {"DOCKER_CONFIG=" + home + "/docker-config", "HOME=" + home};
  auto dv = test::run_command({docker, "--tlsverify", "--tlscacert", certs / "ca.pem", "--tlscert", certs / "cert.pem",
                               "--tlskey", certs / "key.pem", "-H", tcp, "version"},
                              denv);
  INFO(dv.out);
  INFO(dv.err);
  CHECK(dv.exit_code == 0);
  denv.insert(denv.end(), {"DOCKER_HOST=" + tcp, "DOCKER_TLS_VERIFY=1", "DOCKER_CERT_PATH=" + certs.path()});
  auto drun = test::run_command({docker, "run", "--rm", "busybox", "echo", "over tls"}, denv);
  INFO(drun.err);
  CHECK(drun.out == "over tls\n");
  auto dexec = test::run_command({docker, "exec", "-i", "tlsc", "cat"}, denv, 30, "docker stdin\n");
  CHECK(dexec.out == "docker stdin\n");
  CHECK(test::run_command({berth, "rm", "-f", "tlsc"}, env).exit_code == 0);
  CHECK(cli::ApiClient(d.unix_host()).ping().ok());
}

TEST_CASE("tls: plain tcp is served on loopback and refused elsewhere without --tlsverify") {
  std::string tcp = "tcp://127.0.0.1:" + std::to_string(free_port());
  {
    TcpDaemon d({"--host", tcp});
    auto r = cli::ApiClient(tcp).request("GET", "/version");
    REQUIRE(r);
    CHECK(r->status == 200);
  }
  test::TempDir dir("berth-tls-refuse");
  auto refused = test::run_command({test::bin("berthd"), "--root", dir / "root", "--exec-root", dir / "run", "--host",
                                    "unix://" + (dir / "s.sock"), "--host", "tcp://0.0.0.0:" + std::to_string(free_port())});
  CHECK(refused.exit_code == 1);
  CHECK(refused.err.find("requires --tlsverify") != std::string::npos);
  auto no_key = test::run_command({test::bin("berthd"), "--root", dir / "root", "--exec-root", dir / "run", "--host",
                                   "unix://" + (dir / "s.sock"), "--host", tcp, "--tlsverify", "--tlscacert",
                                   dir / "missing-ca.pem", "--tlscert", dir / "missing.pem", "--tlskey", dir / "missing-key.pem"});
  CHECK(no_key.exit_code == 1);
  CHECK(no_key.err.find("missing.pem") != std::string::npos);
}
