#include "tests/integration/imageapi/imageapi_fixture.h"

#include <doctest/doctest.h>

#include <filesystem>

namespace test {

namespace fs = std::filesystem;

std::string busybox_rootfs_tarball(const TempDir& dir) {
  fs::create_directories(dir / "rootfs/bin");
  fs::create_directories(dir / "rootfs/etc");
  fs::copy_file("/bin/busybox", dir / "rootfs/bin/busybox", fs::copy_options::overwrite_existing);
  for (const char* applet : {"sh", "echo", "cat", "ls"})
    if (!fs::is_symlink(dir / ("rootfs/bin/" + std::string(applet))))
      fs::create_symlink("busybox", dir / ("rootfs/bin/" + std::string(applet)));
  write_text(dir / "rootfs/etc/passwd", "root:x:0:0:root:/root:/bin/sh\n");
  std::string tar = dir / "rootfs.tar.gz";
  CommandResult r = run_command({"tar", "-C", dir / "rootfs", "-czf", tar, "."});
  REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  return tar;
}

CommandResult berth_env(const DaemonFixture& d, const std::vector<std::string>& args,
                        const std::vector<std::string>& extra_env, const std::string& input) {
  std::vector<std::string> argv = {bin("berth")};
  argv.insert(argv.end(), args.begin(), args.end());
  std::vector<std::string> env = d.env();
  env.insert(env.end(), extra_env.begin(), extra_env.end());
  return run_command(argv, env, 120, input);
}

std::string import_busybox(const DaemonFixture& d, const TempDir& dir, const std::string& ref) {
  std::string tar = fs::exists(dir / "rootfs.tar.gz") ? dir / "rootfs.tar.gz" : busybox_rootfs_tarball(dir);
  CommandResult r = d.berth({"import", "-c", "CMD [\"/bin/sh\"]", "-c", "ENV PATH=/bin", tar, ref});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  REQUIRE(r.out.size() == 7 + 64 + 1);
  return r.out.substr(0, r.out.size() - 1);
}

std::vector<std::string> lines(const std::string& out) {
  std::vector<std::string> v;
  size_t start = 0;
  while (start < out.size()) {
    size_t nl = out.find('\n', start);
    if (nl == std::string::npos) nl = out.size();
    v.push_back(out.substr(start, nl - start));
    start = nl + 1;
  }
  return v;
}

}  // namespace test
