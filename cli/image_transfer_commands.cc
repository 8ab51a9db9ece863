// berth import, load, save, pull, push (also under `berth image`).
#include <fcntl.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstring>
#include <memory>

#include "cli/context.h"
#include "cli/image_support.h"
#include "engine/base/strings.h"
#include "engine/image/reference.h"

namespace cli {

namespace {

struct TransferOpts {
  std::string file, ref, output, input, message, platform;
  std::vector<std::string> changes, names;
  bool quiet = false, all_tags = false;
};

/// Streams a JSON-message answer to stdout; fails (exit 1) on an errorDetail.
void show_messages(const Context& ctx, const std::string& method, const std::string& path, const std::string& body,
                   const std::string& content_type, const std::vector<std::pair<std::string, std::string>>& headers,
                   bool quiet = false) {
  bool tty = ::isatty(STDOUT_FILENO);
  JsonMessagePrinter printer(quiet ? nullptr : stdout, tty, tty ? terminal_width(STDOUT_FILENO) : 80);
  HttpResponse r = check(request_streamed(ctx.connect(), method, path, headers, body, content_type,
                                          [&](std::string_view data) { return printer.feed(data); }));
  if (!r.ok()) fail_response(r, 1);
  if (const auto& error = printer.error()) {
    std::fprintf(stderr, "%s\n", error->c_str());
    throw CLI::RuntimeError(1);
  }
}

void add_import(CLI::App& parent, Context& ctx) {
  auto o = std::make_shared<TransferOpts>();
  auto* imp = parent.add_subcommand("import", "Import the contents from a tarball to create a filesystem image");
  imp->add_option("file", o->file, "FILE|- (a root filesystem tar, plain or compressed)")->required();
  imp->add_option("reference", o->ref, "REPOSITORY[:TAG]");
  imp->add_option("-c,--change", o->changes, "Apply Dockerfile instruction to the created image");
  imp->add_option("-m,--message", o->message, "Set commit message for imported image");
  imp->add_option("--platform", o->platform, "Set platform (os/arch) of the imported image");
  imp->callback([&ctx, o] {
    std::string path = "/images/create?fromSrc=";
    std::string body;
    if (o->file.find("://") != std::string::npos) {
      path += url_encode(o->file);  // the daemon answers that URLs are not supported
    } else {
      path += "-";
      body = read_input(o->file);
    }
    if (!o->ref.empty()) {
      size_t colon = o->ref.rfind(':');
      bool has_tag = colon != std::string::npos && o->ref.find('/', colon) == std::string::npos;
      path += "&repo=" + url_encode(has_tag ? o->ref.substr(0, colon) : o->ref);
      if (has_tag) path += "&tag=" + url_encode(o->ref.substr(colon + 1));
    }
    if (!o->message.empty()) path += "&message=" + url_encode(o->message);
    if (!o->platform.empty()) path += "&platform=" + url_encode(o->platform);
    for (const auto& c : o->changes) path += "&changes=" + url_encode(c);
    show_messages(ctx, "POST", path, body, "application/x-tar", {});
  });
}

void add_load(CLI::App& parent, Context& ctx) {
  auto o = std::make_shared<TransferOpts>();
  auto* load = parent.add_subcommand("load", "Load an image from a tar archive or STDIN");
  load->add_option("-i,--input", o->input, "Read from tar archive file, instead of STDIN");
  load->add_flag("-q,--quiet", o->quiet, "Suppress the load output");
  load->callback([&ctx, o] {
    if (o->input.empty() && ::isatty(STDIN_FILENO)) fail("requested load from stdin, but stdin is empty");
    std::string body = read_input(o->input.empty() ? "-" : o->input);
    // Progress bars only make sense on a terminal, as docker load decides.
    bool quiet = o->quiet || !::isatty(STDOUT_FILENO);
    show_messages(ctx, "POST", std::string("/images/load?quiet=") + (quiet ? "1" : "0"), body, "application/x-tar",
                  {});
  });
}

void add_save(CLI::App& parent, Context& ctx) {
  auto o = std::make_shared<TransferOpts>();
  auto* save = parent.add_subcommand("save", "Save one or more images to a tar archive (streamed to STDOUT by default)");
  save->add_option("images", o->names, "Images")->required();
  save->add_option("-o,--output", o->output, "Write to a file, instead of STDOUT");
  save->callback([&ctx, o] {
    if (o->output.empty() && ::isatty(STDOUT_FILENO))
      fail("cowardly refusing to save to a terminal. Use the -o flag or redirect");
    std::string path = "/images/get";
    for (size_t i = 0; i < o->names.size(); ++i) path += (i ? "&names=" : "?names=") + url_encode(o->names[i]);
    int fd = STDOUT_FILENO;
    std::string tmp;
    if (!o->output.empty()) {
      tmp = o->output + ".tmp-" + engine::base::random_hex(8);
      fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
      if (fd < 0) fail("open " + tmp + ": " + std::strerror(errno));
    }
    bool write_failed = false;
    auto r = request_streamed(ctx.connect(), "GET", path, {}, "", "text/plain", [&](std::string_view data) {
      while (!data.empty()) {
        ssize_t n = ::write(fd, data.data(), data.size());
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return !(write_failed = true);
        data.remove_prefix(size_t(n));
      }
      return true;
    });
    if (fd != STDOUT_FILENO) ::close(fd);
    bool ok = r && r->ok() && !write_failed;
    if (!ok && !tmp.empty()) ::unlink(tmp.c_str());
    HttpResponse resp = check(std::move(r));
    if (!resp.ok()) fail_response(resp, 1);
    if (write_failed) fail("write " + (o->output.empty() ? std::string("stdout") : o->output) + ": " + std::strerror(errno));
    if (!tmp.empty() && ::rename(tmp.c_str(), o->output.c_str()) != 0) {
      ::unlink(tmp.c_str());
      fail("rename " + tmp + ": " + std::strerror(errno));
    }
  });
}

/// The reference with docker's default tag, announced as the docker CLI does.
engine::image::Reference normalized(const std::string& ref, bool quiet) {
  auto r = engine::image::parse_reference_no_default(ref);
  if (!r) fail("invalid reference format: " + r.error().str());
  if (r->tag.empty() && !r->digest) {
    if (!quiet) std::printf("Using default tag: latest\n");
    r->tag = "latest";
  }
  return *r;
}

void add_pull(CLI::App& parent, Context& ctx) {
  auto o = std::make_shared<TransferOpts>();
  auto* pull = parent.add_subcommand("pull", "Download an image from a registry");
  pull->add_option("name", o->ref, "NAME[:TAG|@DIGEST]")->required();
  pull->add_option("--platform", o->platform, "Set platform if server is multi-platform capable (os/arch[/variant])");
  pull->add_flag("-q,--quiet", o->quiet, "Suppress verbose output");
  pull->callback([&ctx, o] {
    engine::image::Reference ref = normalized(o->ref, o->quiet);
    std::string path = "/images/create?fromImage=" + url_encode(ref.familiar_name()) + "&tag=" +
                       url_encode(ref.digest ? ref.digest->str() : ref.tag);
    if (!o->platform.empty()) path += "&platform=" + url_encode(o->platform);
    std::vector<std::pair<std::string, std::string>> headers;
    if (std::string auth = registry_auth_header(ref.domain); !auth.empty()) headers.emplace_back("X-Registry-Auth", auth);
    show_messages(ctx, "POST", path, "", "text/plain", headers, o->quiet);
    std::printf("%s\n", ref.str().c_str());
  });
}

void add_push(CLI::App& parent, Context& ctx) {
  auto o = std::make_shared<TransferOpts>();
  auto* push = parent.add_subcommand("push", "Upload an image to a registry");
  push->add_option("name", o->ref, "NAME[:TAG]")->required();
  push->add_flag("-a,--all-tags", o->all_tags, "Push all tags of an image to the repository");
  push->add_flag("-q,--quiet", o->quiet, "Suppress verbose output");
  push->callback([&ctx, o] {
    auto parsed = engine::image::parse_reference_no_default(o->ref);
    if (!parsed) fail("invalid reference format: " + parsed.error().str());
    if (o->all_tags && !parsed->tag.empty()) fail("tag can't be used with --all-tags/-a");
    engine::image::Reference ref = o->all_tags ? *parsed : normalized(o->ref, o->quiet);
    std::string path = "/images/" + url_encode(ref.familiar_name()) + "/push";
    if (!ref.tag.empty()) path += "?tag=" + url_encode(ref.tag);
    std::vector<std::pair<std::string, std::string>> headers;
    if (std::string auth = registry_auth_header(ref.domain); !auth.empty()) headers.emplace_back("X-Registry-Auth", auth);
    show_messages(ctx, "POST", path, "", "text/plain", headers, o->quiet);
    if (o->quiet) std::printf("%s\n", ref.familiar_str().c_str());
  });
}

}  // namespace

void add_image_transfer_commands(CLI::App& app, CLI::App& image, Context& ctx) {
  for (CLI::App* parent : {&app, &image}) {
    add_import(*parent, ctx);
    add_load(*parent, ctx);
    add_save(*parent, ctx);
    add_pull(*parent, ctx);
    add_push(*parent, ctx);
  }
}

}  // namespace cli
