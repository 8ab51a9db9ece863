#include "engine/build/heredoc.h"

#include <cctype>

namespace engine::build {

namespace {

bool word_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
}

std::string_view strip_leading_tabs(std::string_view s) {
  while (!s.empty() && s.front() == '\t') s.remove_prefix(1);
  return s;
}

}  // namespace

std::vector<HeredocMarker> find_heredoc_markers(std::string_view line) {
  std::vector<HeredocMarker> out;
  char quote = 0;
  for (size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (quote) {
      if (c == quote) quote = 0;
      else if (c == '\\' && quote == '"') ++i;
      continue;
    }
    if (c == '\\') {
      ++i;
      continue;
    }
    if (c == '\'' || c == '"') {
      quote = c;
      continue;
    }
    if (c != '<' || i + 1 >= line.size() || line[i + 1] != '<') continue;
    if ((i > 0 && line[i - 1] == '<') || (i + 2 < line.size() && line[i + 2] == '<')) {  // "<<<"
      while (i < line.size() && line[i] == '<') ++i;
      continue;
    }
    HeredocMarker m;
    m.begin = i;
    size_t j = i + 2;
    if (j < line.size() && line[j] == '-') {
      m.doc.strip_tabs = true;
      ++j;
    }
    char q = 0;
    if (j < line.size() && (line[j] == '"' || line[j] == '\'')) q = line[j++];
    size_t w = j;
    while (j < line.size() && word_char(line[j])) ++j;
    if (j == w || (q && (j >= line.size() || line[j] != q))) continue;  // not a heredoc
    m.doc.name = std::string(line.substr(w, j - w));
    m.doc.expand = q == 0;
    if (q) ++j;
    m.end = j;
    out.push_back(std::move(m));
    i = j - 1;
  }
  return out;
}

bool ends_heredoc(std::string_view line, const Heredoc& doc) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (doc.strip_tabs) line = strip_leading_tabs(line);
  return line == doc.name;
}

void add_heredoc_line(Heredoc& doc, std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (doc.strip_tabs) line = strip_leading_tabs(line);
  doc.content.append(line);
  doc.content += '\n';
}

}  // namespace engine::build
