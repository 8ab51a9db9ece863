// berth-image-bench: drives ImageService for bench/image/pull_bench.sh.
//   berth-image-bench pull <root> <ref>          pull (plain HTTP for 127.0.0.1 registries)
//   berth-image-bench load-push <root> <archive> <ref>   load a docker-archive, tag, push
#include <fcntl.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "engine/base/unique_fd.h"
#include "engine/image/service.h"

using engine::image::ImageService;

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: %s pull <root> <ref> | load-push <root> <archive> <ref>\n", argv[0]);
    return 2;
  }
  std::string cmd = argv[1];
  auto svc = ImageService::open(argv[2]);
  if (!svc) {
    std::fprintf(stderr, "%s\n", svc.error().str().c_str());
    return 1;
  }
  auto t0 = std::chrono::steady_clock::now();
  if (cmd == "pull") {
    engine::image::PullOptions opts;
    if (const char* p = std::getenv("BERTH_BENCH_PARALLEL")) opts.parallel = std::atoi(p);
    auto img = (*svc)->pull(argv[3], opts, nullptr);
    if (!img) {
      std::fprintf(stderr, "pull: %s\n", img.error().str().c_str());
      return 1;
    }
    std::printf("%s\n", img->id.str().c_str());
  } else if (cmd == "load-push" && argc >= 5) {
    engine::base::UniqueFd fd(::open(argv[3], O_RDONLY | O_CLOEXEC));
    auto loaded = (*svc)->load(fd.get(), nullptr);
    if (!loaded || loaded->empty()) {
      std::fprintf(stderr, "load: %s\n", loaded ? "no image" : loaded.error().str().c_str());
      return 1;
    }
    auto st = (*svc)->tag(loaded->front().id.str(), argv[4]);
    if (st) st = (*svc)->push(argv[4], {}, nullptr);
    if (!st) {
      std::fprintf(stderr, "push: %s\n", st.error().str().c_str());
      return 1;
    }
  } else {
    std::fprintf(stderr, "unknown command %s\n", cmd.c_str());
    return 2;
  }
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::fprintf(stderr, "%s: %.3f s\n", cmd.c_str(), s);
  return 0;
}
