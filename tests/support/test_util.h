#pragma once
/// Helpers shared by unit and integration tests: temporary directories, root
/// checks, running a command and capturing its output.
#include <string>
#include <vector>

namespace test {

/// True when the process can do root-only work (namespaces, mounts, cgroups).
bool can_run_root();

/// A fresh directory under $TMPDIR (or /tmp), removed with everything in it on destruction.
class TempDir {
 public:
  explicit TempDir(const std::string& prefix = "berth-test");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string operator/(const std::string& rel) const { return path_ + "/" + rel; }

 private:
  std::string path_;
};

struct CommandResult {
  int exit_code = -1;  ///< exit status, or 128+signal
  std::string out;     ///< stdout
  std::string err;     ///< stderr
};

/// Runs argv (no shell) with extra environment entries "K=V", waiting at most timeout_s.
CommandResult run_command(const std::vector<std::string>& argv, const std::vector<std::string>& env = {},
                          int timeout_s = 60, const std::string& stdin_data = {});

/// A short unique name for objects a test creates ("bt-<pid>-<n>-<suffix>").
std::string unique_name(const std::string& suffix);

/// Writes a file (creating parent directories); throws on failure.
void write_text(const std::string& path, const std::string& text);
/// The whole content of a file ("" when it cannot be read).
std::string read_text(const std::string& path);

}  // namespace test
