// berth build (also `berth image build`): tars the context and streams POST /build.
#include <archive.h>
#include <archive_entry.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <filesystem>
#include <iostream>
#include <iterator>
#include <memory>

#include <nlohmann/json.hpp>

#include "cli/build_context.h"
#include "cli/context.h"
#include "cli/image_support.h"

namespace cli {
namespace {

struct BuildOpts {
  std::string dir, file, target, platform;
  std::vector<std::string> tags, build_args;
  bool no_cache = false, quiet = false, pull = false;
};

la_ssize_t append_to_string(struct archive*, void* data, const void* buf, size_t n) {
  static_cast<std::string*>(data)->append(static_cast<const char*>(buf), n);
  return static_cast<la_ssize_t>(n);
}

/// The context directory as an uncompressed tar (paths relative to dir), read by libarchive.
std::string tar_context(const std::string& dir) {
  std::string out;
  std::unique_ptr<archive, decltype(&archive_write_free)> w(archive_write_new(), archive_write_free);
  archive_write_set_format_pax_restricted(w.get());
  archive_write_open(w.get(), &out, nullptr, append_to_string, nullptr);
  std::unique_ptr<archive, decltype(&archive_read_free)> disk(archive_read_disk_new(), archive_read_free);
  archive_read_disk_set_standard_lookup(disk.get());
  if (!std::filesystem::is_directory(dir)) fail("unable to prepare context: path \"" + dir + "\" not found");
  std::string cwd = std::filesystem::current_path().string();
  if (::chdir(dir.c_str()) != 0) fail("unable to prepare context: cannot enter " + dir);
  if (archive_read_disk_open(disk.get(), ".") != ARCHIVE_OK) fail(std::string("read context: ") + archive_error_string(disk.get()));
  for (;;) {
    archive_entry* e = archive_entry_new();
    int rc = archive_read_next_header2(disk.get(), e);
    if (rc == ARCHIVE_EOF) {
      archive_entry_free(e);
      break;
    }
    if (rc != ARCHIVE_OK) fail(std::string("read context: ") + archive_error_string(disk.get()));
    archive_read_disk_descend(disk.get());
    std::string name = archive_entry_pathname(e);
    if (name == ".") {
      archive_entry_free(e);
      continue;
    }
    if (name.starts_with("./")) archive_entry_copy_pathname(e, name.substr(2).c_str());
    archive_write_header(w.get(), e);
    if (archive_entry_filetype(e) == AE_IFREG) {
      const void* buf;
      size_t size;
      la_int64_t off;
      while (archive_read_data_block(disk.get(), &buf, &size, &off) == ARCHIVE_OK) archive_write_data(w.get(), buf, size);
    }
    archive_entry_free(e);
  }
  archive_write_close(w.get());
  if (::chdir(cwd.c_str()) != 0) fail("cannot return to " + cwd);
  return out;
}

/// True when data opens as a tar archive (plain or compressed with any filter libarchive knows).
bool is_tar_archive(const std::string& data) {
  std::unique_ptr<archive, decltype(&archive_read_free)> r(archive_read_new(), archive_read_free);
  archive_read_support_filter_all(r.get());
  archive_read_support_format_tar(r.get());
  archive_entry* e = nullptr;
  return archive_read_open_memory(r.get(), data.data(), data.size()) == ARCHIVE_OK &&
         archive_read_next_header(r.get(), &e) == ARCHIVE_OK;
}

/// `berth build -`, as docker reads stdin: a context archive as it is, else a lone Dockerfile (no context).
std::string stdin_context() {
  std::string in{std::istreambuf_iterator<char>(std::cin), std::istreambuf_iterator<char>()};
  if (is_tar_archive(in)) return in;
  std::string out;
  std::unique_ptr<archive, decltype(&archive_write_free)> w(archive_write_new(), archive_write_free);
  archive_write_set_format_pax_restricted(w.get());
  archive_write_open(w.get(), &out, nullptr, append_to_string, nullptr);
  std::unique_ptr<archive_entry, decltype(&archive_entry_free)> e(archive_entry_new(), archive_entry_free);
  archive_entry_set_pathname(e.get(), "Dockerfile");
  archive_entry_set_filetype(e.get(), AE_IFREG);
  archive_entry_set_perm(e.get(), 0644);
  archive_entry_set_size(e.get(), static_cast<la_int64_t>(in.size()));
  archive_write_header(w.get(), e.get());
  archive_write_data(w.get(), in.data(), in.size());
  archive_write_close(w.get());
  return out;
}

}  // namespace

std::string build_context_tar(const std::string& dir) { return tar_context(dir); }

void register_build_commands(CLI::App& app, Context& ctx) { add_build_command(app, ctx); }

void add_build_command(CLI::App& parent, Context& ctx) {
  auto o = std::make_shared<BuildOpts>();
  auto* b = parent.add_subcommand("build", "Build an image from a Dockerfile");
  b->add_option("path", o->dir, "PATH (the build context) or - (a context tar, or a lone Dockerfile, on stdin)")->required();
  b->add_option("-t,--tag", o->tags, "Name and optionally a tag in the 'name:tag' format");
  b->add_option("-f,--file", o->file, "Name of the Dockerfile (default: 'PATH/Dockerfile')");
  b->add_option("--build-arg", o->build_args, "Set build-time variables");
  b->add_flag("--no-cache", o->no_cache, "Do not use cache when building the image");
  b->add_flag("-q,--quiet", o->quiet, "Suppress the build output and print image ID on success");
  b->add_option("--target", o->target, "Set the target build stage to build");
  b->add_flag("--pull", o->pull, "Always attempt to pull a newer version of the image");
  b->add_option("--platform", o->platform, "Set platform if server is multi-platform capable");
  b->callback([&ctx, o] {
    std::string path = "/build?rm=1";
    for (const auto& t : o->tags) path += "&t=" + url_encode(t);
    if (!o->file.empty() && o->dir == "-") {
      path += "&dockerfile=" + url_encode(o->file);  // a path inside the archive on stdin
    } else if (!o->file.empty()) {
      std::string rel = std::filesystem::relative(o->file, o->dir).string();
      path += "&dockerfile=" + url_encode(rel.starts_with("..") ? o->file : rel);
    }
    nlohmann::json args = nlohmann::json::object();
    for (const auto& a : o->build_args) {
      size_t eq = a.find('=');
      if (eq == std::string::npos) {
        const char* v = std::getenv(a.c_str());
        if (v) args[a] = v;
      } else {
        args[a.substr(0, eq)] = a.substr(eq + 1);
      }
    }
    if (!args.empty()) path += "&buildargs=" + url_encode(args.dump());
    if (o->no_cache) path += "&nocache=1";
    if (o->quiet) path += "&q=1";
    if (!o->target.empty()) path += "&target=" + url_encode(o->target);
    if (o->pull) path += "&pull=1";
    if (!o->platform.empty()) path += "&platform=" + url_encode(o->platform);
    std::string body = o->dir == "-" ? stdin_context() : tar_context(o->dir);
    bool tty = ::isatty(STDOUT_FILENO);
    JsonMessagePrinter printer(stdout, tty, tty ? terminal_width(STDOUT_FILENO) : 80);
    HttpResponse r = check(request_streamed(ctx.connect(), "POST", path, {}, body, "application/x-tar",
                                            [&](std::string_view data) { return printer.feed(data); }));
    if (!r.ok()) fail_response(r, 1);
    if (const auto& error = printer.error()) {
      std::fprintf(stderr, "%s\n", error->c_str());
      throw CLI::RuntimeError(1);
    }
  });
}

}  // namespace cli
