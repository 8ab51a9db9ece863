#pragma once
/// Dockerfile heredocs (RUN/COPY/ADD <<EOF ... EOF), as BuildKit reads them: the marker
/// "<<[-][\"|']WORD[\"|']" outside quotes, the body the lines up to one equal to WORD
/// ("<<-": leading tabs stripped). A quoted WORD turns variable expansion off.
#include <string>
#include <string_view>
#include <vector>

namespace engine::build {

/// One heredoc attached to an instruction.
struct Heredoc {
  std::string name;         ///< the delimiter word (also the file name for COPY/ADD)
  std::string content;      ///< the body, each line ending in "\n" ("<<-": tabs stripped)
  bool expand = true;       ///< WORD unquoted: variables are expanded in the body
  bool strip_tabs = false;  ///< "<<-"
};

/// A heredoc marker found in an instruction line.
struct HeredocMarker {
  size_t begin = 0, end = 0;  ///< its byte range in the line
  Heredoc doc;                ///< name, expand and strip_tabs (content still empty)
};

/// The heredoc markers of an instruction line, outside quotes ("<<<" is not one).
std::vector<HeredocMarker> find_heredoc_markers(std::string_view line);

/// Whether line ends the body of doc.
bool ends_heredoc(std::string_view line, const Heredoc& doc);

/// Appends one body line to doc.content (tabs stripped for "<<-").
void add_heredoc_line(Heredoc& doc, std::string_view line);

}  // namespace engine::build
