// berth-shim: one per container; supervises it independently of berthd.
#include <cstdio>
#include <cstring>

int main(int argc, char** argv) {
  if (argc > 1 && (std::strcmp(argv[1], "--help") == 0 || std::strcmp(argv[1], "-h") == 0)) {
    std::puts("Usage: berth-shim --bundle DIR\n\nSupervises one container for berthd (started by berthd, not by hand).");
    return 0;
  }
  std::fputs("berth-shim: started by berthd, not by hand (see --help)\n", stderr);
  return 2;
}
