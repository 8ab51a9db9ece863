#pragma once
/// Aligned text tables as the docker CLI prints them (columns separated by at
/// least three spaces, headers in capitals), and Go-template-free JSON output.
#include <string>
#include <vector>

namespace cli {

class Table {
 public:
  explicit Table(std::vector<std::string> headers) : headers_(std::move(headers)) {}
  void add(std::vector<std::string> row) { rows_.push_back(std::move(row)); }
  /// The whole table, one line per row, trailing spaces trimmed.
  std::string render() const;
  size_t size() const { return rows_.size(); }

 private:
  std::vector<std::string> headers_;
  std::vector<std::vector<std::string>> rows_;
};

/// Display width of UTF-8 text (code points; good enough for table alignment).
size_t display_width(const std::string& s);
/// "12.3MB", "1.5GB" as docker prints sizes (decimal units).
std::string human_size(double bytes);

}  // namespace cli
