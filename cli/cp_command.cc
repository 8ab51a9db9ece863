// berth cp: copy files between a container and the local filesystem.
#include <CLI/CLI.hpp>

#include "cli/copy.h"
#include "cli/extra_commands.h"

namespace cli {

void register_copy_command(CLI::App& app, Context& ctx) {
  struct Flags {
    std::string src, dst;
    CopyOptions opts;
  };
  auto f = std::make_shared<Flags>();
  auto* cp = app.add_subcommand("cp", "Copy files/folders between a container and the local filesystem");
  cp->add_option("src", f->src, "CONTAINER:SRC_PATH, a local path, or - (a tar on stdin)")->required();
  cp->add_option("dst", f->dst, "CONTAINER:DEST_PATH, a local path, or - (a tar to stdout)")->required();
  cp->add_flag("-a,--archive", f->opts.archive, "Archive mode (copy all uid/gid information)");
  cp->add_flag("-L,--follow-link", f->opts.follow_link, "Always follow symbol link in SRC_PATH");
  cp->add_flag("-q,--quiet", f->opts.quiet, "Suppress progress output during copy");
  cp->footer("Use '-' as the source to read a tar archive from stdin and extract it to a directory destination\n"
             "in a container. Use '-' as the destination to stream a tar archive of a container source to stdout.");
  cp->callback([&ctx, f] {
    CopyEndpoint src = parse_copy_arg(f->src), dst = parse_copy_arg(f->dst);
    if (auto ok = check_copy_args(src, dst); !ok) fail(ok.error().message, 1);
    ApiClient api = ctx.connect();
    copy_paths(api, src, dst, f->opts);
  });
}

}  // namespace cli
