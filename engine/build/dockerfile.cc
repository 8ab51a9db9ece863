#include "engine/build/dockerfile.h"

#include <algorithm>
#include <array>
#include <cctype>

#include <nlohmann/json.hpp>

namespace engine::build {
namespace {

constexpr std::array<std::string_view, 18> kKeywords = {
    "FROM", "RUN",   "COPY",  "ADD",        "ENV",        "ARG",         "WORKDIR",     "USER",  "CMD",
    "ENTRYPOINT", "EXPOSE", "LABEL", "HEALTHCHECK", "VOLUME", "STOPSIGNAL", "SHELL", "MAINTAINER", "ONBUILD"};

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool takes_flags(std::string_view kw) {
  return kw == "COPY" || kw == "ADD" || kw == "RUN" || kw == "FROM" || kw == "HEALTHCHECK";
}

base::Error at(int line, const std::string& msg) {
  return base::invalid("Dockerfile:" + std::to_string(line) + ": " + msg);
}

/// Builds one Instruction from its joined text.
base::Result<Instruction> make_instruction(int line, std::string_view body) {
  Instruction ins;
  ins.line = line;
  size_t sp = 0;
  while (sp < body.size() && !std::isspace(static_cast<unsigned char>(body[sp]))) ++sp;
  ins.keyword = upper(body.substr(0, sp));
  if (std::find(kKeywords.begin(), kKeywords.end(), ins.keyword) == kKeywords.end())
    return at(line, "unknown instruction: " + ins.keyword);
  if (ins.keyword == "ONBUILD") return at(line, "unsupported instruction: ONBUILD");
  std::string_view rest = trim(body.substr(sp));
  if (takes_flags(ins.keyword)) {
    while (rest.starts_with("--")) {
      size_t end = 0;
      while (end < rest.size() && !std::isspace(static_cast<unsigned char>(rest[end]))) ++end;
      ins.flags.emplace_back(rest.substr(0, end));
      rest = trim(rest.substr(end));
    }
  }
  ins.args = std::string(rest);
  if (rest.starts_with("[")) {
    auto j = nlohmann::json::parse(rest, nullptr, false);
    if (!j.is_discarded() && j.is_array() &&
        std::all_of(j.begin(), j.end(), [](const nlohmann::json& e) { return e.is_string(); })) {
      ins.exec_form = true;
      for (const auto& e : j) ins.argv.push_back(e.get<std::string>());
    }
  }
  return ins;
}

/// Folds the heredocs of a RUN into its shell command; keeps them for COPY/ADD.
base::Status attach_heredocs(Instruction& ins, std::vector<Heredoc> docs, std::string_view raw_block) {
  if (ins.exec_form) return at(ins.line, "heredocs are not supported in the exec form");
  if (ins.keyword == "RUN") {
    std::string cmd;
    size_t last = 0;
    for (const auto& m : find_heredoc_markers(ins.args)) {
      cmd += ins.args.substr(last, m.begin - last);
      last = m.end;
    }
    cmd += ins.args.substr(std::min(last, ins.args.size()));
    if (trim(cmd).empty()) {
      if (docs.size() != 1) return at(ins.line, "RUN with several heredocs needs a command that reads them");
      if (docs[0].content.starts_with("#!"))
        return at(ins.line, "RUN heredoc scripts with a #! line are not supported; name the interpreter instead "
                            "(RUN python3 <<EOF)");
      ins.args = docs[0].content;  // the body is the script
    } else {
      ins.args += "\n" + std::string(raw_block);  // the shell reads its own heredocs
    }
    while (!ins.args.empty() && ins.args.back() == '\n') ins.args.pop_back();
  }
  ins.heredocs = std::move(docs);
  return {};
}

/// Whether the first word of an instruction line allows heredocs.
bool heredoc_keyword(std::string_view body) {
  body = trim(body);
  size_t sp = 0;
  while (sp < body.size() && !std::isspace(static_cast<unsigned char>(body[sp]))) ++sp;
  std::string kw = upper(body.substr(0, sp));
  return kw == "RUN" || kw == "COPY" || kw == "ADD";
}

}  // namespace

std::string Instruction::text() const {
  std::string out = keyword;
  for (const auto& f : flags) out += " " + f;
  if (!args.empty()) out += " " + args;
  return out;
}

std::optional<std::string> Instruction::flag(std::string_view name) const {
  std::string prefix = "--" + std::string(name) + "=";
  for (const auto& f : flags)
    if (f.starts_with(prefix)) return f.substr(prefix.size());
  return std::nullopt;
}

base::Result<Dockerfile> parse_dockerfile(std::string_view text) {
  Dockerfile df;
  std::string pending;
  int start_line = 0;
  int line_no = 0;
  std::vector<Heredoc> docs;  // of the pending instruction
  std::string raw_block;      // their lines as written, terminators included
  auto flush = [&]() -> base::Result<void> {
    std::string_view body = trim(pending);
    if (body.empty()) {
      pending.clear();
      return {};
    }
    auto ins = make_instruction(start_line, body);
    pending.clear();
    if (!ins) return ins.take_error();
    if (!docs.empty()) {
      BERTH_TRY(attach_heredocs(*ins, std::move(docs), raw_block));
      docs.clear();
      raw_block.clear();
    }
    if (ins->keyword == "FROM") {
      Stage st;
      auto words = split_words(ins->args);
      if (words.empty()) return at(ins->line, "FROM requires an image");
      st.base = words[0];
      if (words.size() == 3 && lower(words[1]) == "as") {
        st.name = lower(words[2]);
      } else if (words.size() != 1) {
        return at(ins->line, "FROM: expected 'FROM image [AS name]'");
      }
      st.from = std::move(*ins);
      df.stages.push_back(std::move(st));
    } else if (df.stages.empty()) {
      if (ins->keyword != "ARG") return at(ins->line, "no FROM before " + ins->keyword);
      df.global_args.push_back(std::move(*ins));
    } else {
      df.stages.back().instructions.push_back(std::move(*ins));
    }
    return {};
  };
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view raw = text.substr(pos, nl - pos);
    pos = nl + 1;
    ++line_no;
    if (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);
    std::string_view t = trim(raw);
    if (t.starts_with("#")) continue;  // comments and parser directives
    if (pending.empty() && t.empty()) continue;
    if (pending.empty()) start_line = line_no;
    if (t.ends_with("\\")) {
      t.remove_suffix(1);
      pending += std::string(t) + " ";
      continue;
    }
    pending += std::string(t);
    if (heredoc_keyword(pending)) {
      for (auto& m : find_heredoc_markers(pending)) {
        Heredoc doc = std::move(m.doc);
        bool closed = false;
        while (pos < text.size() && !closed) {
          size_t end = text.find('\n', pos);
          if (end == std::string_view::npos) end = text.size();
          std::string_view body_line = text.substr(pos, end - pos);
          pos = end + 1;
          ++line_no;
          raw_block.append(body_line).append("\n");
          closed = ends_heredoc(body_line, doc);
          if (!closed) add_heredoc_line(doc, body_line);
        }
        if (!closed) return at(start_line, "unterminated heredoc <<" + doc.name);
        docs.push_back(std::move(doc));
      }
    }
    if (auto r = flush(); !r) return r.take_error();
    if (nl == text.size()) break;
  }
  if (!pending.empty())
    if (auto r = flush(); !r) return r.take_error();
  if (df.stages.empty()) return base::invalid("Dockerfile: no FROM instruction");
  return df;
}

std::string expand_vars(std::string_view s, const VarLookup& lookup) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '\\' && i + 1 < s.size() && s[i + 1] == '$') {
      out += "\\$";
      ++i;
      continue;
    }
    if (c != '$' || i + 1 >= s.size()) {
      out += c;
      continue;
    }
    if (s[i + 1] == '{') {
      size_t close = s.find('}', i + 2);
      if (close == std::string_view::npos) {
        out += c;
        continue;
      }
      std::string inner(s.substr(i + 2, close - i - 2));
      i = close;
      size_t op = inner.find(':');
      std::string name = inner.substr(0, op);
      auto v = lookup(name);
      if (op != std::string::npos && op + 1 < inner.size()) {
        char kind = inner[op + 1];
        std::string word = inner.substr(op + 2);
        if (kind == '-') out += (v && !v->empty()) ? *v : word;
        else if (kind == '+') out += (v && !v->empty()) ? word : "";
        else out += v.value_or("");
      } else {
        out += v.value_or("");
      }
      continue;
    }
    size_t j = i + 1;
    while (j < s.size() && (std::isalnum(static_cast<unsigned char>(s[j])) || s[j] == '_')) ++j;
    if (j == i + 1) {
      out += c;
      continue;
    }
    out += lookup(std::string(s.substr(i + 1, j - i - 1))).value_or("");
    i = j - 1;
  }
  return out;
}

std::vector<std::string> split_words(std::string_view s) {
  std::vector<std::string> words;
  std::string cur;
  bool have = false;
  char quote = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (quote) {
      if (c == quote) quote = 0;
      else if (c == '\\' && quote == '"' && i + 1 < s.size()) cur += s[++i];
      else cur += c;
      continue;
    }
    if (c == '\'' || c == '"') {
      quote = c;
      have = true;
    } else if (c == '\\' && i + 1 < s.size()) {
      cur += s[++i];
      have = true;
    } else if (std::isspace(static_cast<unsigned char>(c))) {
      if (have) words.push_back(std::move(cur));
      cur.clear();
      have = false;
    } else {
      cur += c;
      have = true;
    }
  }
  if (have) words.push_back(std::move(cur));
  return words;
}

base::Result<std::vector<std::pair<std::string, std::string>>> parse_key_values(std::string_view args,
                                                                               bool allow_legacy) {
  std::vector<std::pair<std::string, std::string>> out;
  auto words = split_words(args);
  if (words.empty()) return base::invalid("requires at least one argument");
  if (words[0].find('=') == std::string::npos) {
    if (!allow_legacy) return base::invalid("expected key=value: " + words[0]);
    // Legacy "key value with spaces": the value is the rest of the raw text.
    std::string_view t = trim(args);
    size_t sp = 0;
    while (sp < t.size() && !std::isspace(static_cast<unsigned char>(t[sp]))) ++sp;
    std::string value(trim(t.substr(sp)));
    auto unq = split_words(value);
    if (unq.size() == 1) value = unq[0];
    out.emplace_back(std::string(t.substr(0, sp)), value);
    return out;
  }
  for (const auto& w : words) {
    size_t eq = w.find('=');
    if (eq == std::string::npos || eq == 0) return base::invalid("expected key=value: " + w);
    out.emplace_back(w.substr(0, eq), w.substr(eq + 1));
  }
  return out;
}

base::Error instruction_error(const Instruction& ins, const std::string& msg) {
  return base::invalid("Dockerfile:" + std::to_string(ins.line) + ": " + msg);
}

}  // namespace engine::build
