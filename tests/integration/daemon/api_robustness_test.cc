// Bad input on the API socket: malformed requests, oversized bodies, stalled clients.
#include <doctest/doctest.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>

#include "engine/base/unique_fd.h"
#include "tests/integration/daemon_fixture.h"

namespace {

engine::base::UniqueFd dial(const std::string& path) {
  engine::base::UniqueFd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::snprintf(addr.sun_path, sizeof addr.sun_path, "%s", path.c_str());
  REQUIRE(::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  return fd;
}

std::string exchange(const std::string& path, const std::string& raw) {
  auto fd = dial(path);
  REQUIRE(::send(fd.get(), raw.data(), raw.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(raw.size()));
  ::shutdown(fd.get(), SHUT_WR);
  std::string out;
  char buf[4096];
  timeval tv{5, 0};
  ::setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  for (;;) {
    ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n <= 0) break;
    out.append(buf, size_t(n));
  }
  return out;
}

/// Open file descriptors of a process.
int fd_count(int pid) {
  int n = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/fd")) ++n;
  return n;
}

int status_of(const engine::base::Result<cli::HttpResponse>& r) { return r ? r->status : -1; }

}  // namespace

TEST_CASE("api: malformed requests get a 4xx and the daemon keeps serving") {
  test::DaemonFixture d;
  std::string bad = exchange(d.socket(), "GARBAGE\r\n\r\n");
  CHECK(bad.rfind("HTTP/1.1 400", 0) == 0);
  std::string missing = exchange(d.socket(), "GET /no/such/thing HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  CHECK(missing.rfind("HTTP/1.1 404", 0) == 0);
  CHECK(missing.find("{\"message\":\"page not found\"}") != std::string::npos);
  CHECK(d.client().ping().ok());
}

TEST_CASE("api: a body over the limit is refused with 413") {
  test::DaemonFixture d;
  std::string req = "POST /_ping HTTP/1.1\r\nHost: x\r\nContent-Length: " + std::to_string(64u << 20) + "\r\n\r\n";
  std::string out = exchange(d.socket(), req);
  CHECK(out.rfind("HTTP/1.1 413", 0) == 0);
  CHECK(d.client().ping().ok());
}

TEST_CASE("api: a client stalled mid-request does not block others") {
  test::DaemonFixture d;
  std::vector<engine::base::UniqueFd> stalled;
  for (int i = 0; i < 50; ++i) {
    stalled.push_back(dial(d.socket()));
    std::string partial = "GET /_ping HTTP/1.1\r\nHost: x\r\n";  // never finished
    REQUIRE(::send(stalled.back().get(), partial.data(), partial.size(), MSG_NOSIGNAL) > 0);
  }
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 20; ++i) REQUIRE(d.client().ping().ok());
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(5));
}

TEST_CASE("api: keep-alive serves several requests on one connection") {
  test::DaemonFixture d;
  std::string two = "GET /_ping HTTP/1.1\r\nHost: x\r\n\r\nGET /_ping HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  std::string out = exchange(d.socket(), two);
  size_t first = out.find("HTTP/1.1 200");
  REQUIRE(first != std::string::npos);
  CHECK(out.find("HTTP/1.1 200", first + 1) != std::string::npos);
}

TEST_CASE("api: 2000 concurrent connections - the daemon keeps serving and leaks no fd") {
  rlimit nofile{};
  REQUIRE(::getrlimit(RLIMIT_NOFILE, &nofile) == 0);
  nofile.rlim_cur = nofile.rlim_max;
  ::setrlimit(RLIMIT_NOFILE, &nofile);
  REQUIRE(nofile.rlim_cur > 2100);
  test::DaemonFixture d;
  REQUIRE(d.client().ping().ok());
  int before = fd_count(d.pid());
  {
    std::vector<engine::base::UniqueFd> conns;
    for (int i = 0; i < 2000; ++i) {
      conns.push_back(dial(d.socket()));
      // Half of them stall mid-request, half stay idle.
      if (i % 2) REQUIRE(::send(conns.back().get(), "GET /_ping HTTP/1.1\r\n", 21, MSG_NOSIGNAL) == 21);
    }
    for (int i = 0; i < 10; ++i) REQUIRE(d.client().ping().ok());
    CHECK(fd_count(d.pid()) >= before + 1000);
  }
  int after = fd_count(d.pid());
  for (int i = 0; i < 500 && after > before; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    after = fd_count(d.pid());
  }
  CHECK(after <= before);
  CHECK(d.client().ping().ok());
}

TEST_CASE("api: wrong types in create bodies are refused with 400, unknown fields are ignored as Docker does") {
  test::DaemonFixture d;
  d.import_busybox();
  auto c = d.client();
  for (const char* body : {R"({"Image":"busybox","WorkingDir":5})", R"({"Image":"busybox","HostConfig":"x"})",
                           R"({"Image":"busybox","HostConfig":{"Memory":"lots"}})", R"({"Image":"busybox","Env":"A=1"})",
                           R"({"Image":"busybox","HostConfig":{"RestartPolicy":{"Name":7}}})", R"([1,2])", R"({"Image":)"}) {
    INFO(body);
    auto r = c.request("POST", "/containers/create", body);
    CHECK(status_of(r) == 400);
    if (r) CHECK_FALSE(r->error_message().empty());
  }
  CHECK(status_of(c.request("POST", "/networks/create", R"({"Name":"n1","Internal":"yes"})")) == 400);
  CHECK(status_of(c.request("POST", "/networks/create", R"({"Name":"n1","IPAM":{"Config":[{"Subnet":1}]}})")) == 400);
  CHECK(status_of(c.request("POST", "/volumes/create", R"({"Name":5})")) == 400);
  CHECK(status_of(c.request("POST", "/volumes/create", R"({"Labels":["a"]})")) == 400);
  auto unknown = c.request("POST", "/containers/create", R"({"Image":"busybox","Cmd":["true"],"NoSuchField":{"x":1}})");
  CHECK(status_of(unknown) == 201);
  CHECK(c.ping().ok());
}

TEST_CASE("api: path traversal in names is refused with 400") {
  test::DaemonFixture d;
  d.import_busybox();
  auto c = d.client();
  CHECK(status_of(c.request("POST", "/containers/create?name=..%2F..%2Fetc", R"({"Image":"busybox","Cmd":["true"]})")) == 400);
  CHECK(status_of(c.request("POST", "/containers/create?name=a%2F..%2Fb", R"({"Image":"busybox","Cmd":["true"]})")) == 400);
  CHECK(status_of(c.request("POST", "/volumes/create", R"({"Name":"../../etc"})")) == 400);
  CHECK(status_of(c.request("POST", "/volumes/create", R"({"Name":".."})")) == 400);
  auto made = c.request("POST", "/containers/create?name=ok1", R"({"Image":"busybox","Cmd":["true"]})");
  REQUIRE(status_of(made) == 201);
  CHECK(status_of(c.request("POST", "/containers/ok1/rename?name=..%2Fx", "")) == 400);
  CHECK(status_of(c.request("GET", "/containers/..%2F..%2Fetc/json")) == 404);
  CHECK(status_of(c.request("GET", "/volumes/..%2F..%2Fetc")) == 404);
  CHECK_FALSE(std::filesystem::exists(d.root() + "/../etc"));
}
