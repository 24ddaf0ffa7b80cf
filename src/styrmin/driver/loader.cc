#include "styrmin/driver/loader.h"

#include <openssl/evp.h>

#include <array>
#include <cstdint>
#include <fstream>
#include <memory>
#include <sstream>
#include <system_error>

#include "styrmin/core/base64.h"
#include "styrmin/core/yaml.h"
#include "styrmin/driver/template_check.h"

namespace styrmin::driver {
namespace {

std::string Sha256Digest(const DriverFiles& files) {
  const std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(),
                                                                    &EVP_MD_CTX_free);
  STYRMIN_CHECK(ctx != nullptr && EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) == 1,
                "SHA-256 is available");
  // Length-prefixed, so no two different file sets hash the same text.
  for (const auto& [path, content] : files) {
    for (const std::string* part : {&path, &content}) {
      const std::string length = std::to_string(part->size()) + ":";
      EVP_DigestUpdate(ctx.get(), length.data(), length.size());
      EVP_DigestUpdate(ctx.get(), part->data(), part->size());
    }
  }
  std::array<unsigned char, EVP_MAX_MD_SIZE> hash{};
  unsigned int size = 0;
  EVP_DigestFinal_ex(ctx.get(), hash.data(), &size);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "sha256:";
  for (unsigned int i = 0; i < size; ++i) {
    out += kHex[hash[i] >> 4];
    out += kHex[hash[i] & 0xF];
  }
  return out;
}

void CheckActions(const DriverSpec& spec, const DriverFiles& files, std::vector<Problem>& out) {
  for (std::size_t i = 0; i < spec.actions.size(); ++i) {
    const Action& a = spec.actions[i];
    if (a.file.empty() || a.function.empty()) continue;  // its location is reported already
    const std::string path = "spec.actions[" + std::to_string(i) + "].location";
    const auto file = files.find(a.file);
    if (file == files.end()) {
      out.push_back({path, "file \"" + a.file + "\" does not exist in the driver"});
    } else if (!DefinesFunction(file->second, a.function)) {
      out.push_back({path, a.file + " has no top-level function \"" + a.function + "\""});
    }
  }
}

void CheckLocalChart(const DriverSpec& spec, const DriverFiles& files, std::vector<Problem>& out) {
  if (spec.chart.kind != ChartSource::Kind::kLocal || spec.chart.location.empty()) return;
  const std::string path = "spec.helm.main.location";
  const std::string chart_yaml = spec.chart.location + "/Chart.yaml";
  const auto it = files.find(chart_yaml);
  if (it == files.end()) {
    out.push_back({path, "the local chart ./" + spec.chart.location + " has no Chart.yaml"});
    return;
  }
  const auto chart = ParseYaml(it->second);
  if (!chart || !chart->is_object()) {
    out.push_back({chart_yaml, chart ? "expected a mapping" : chart.error().message()});
    return;
  }
  for (const char* key : {"name", "version"}) {
    const auto field = chart->find(key);
    if (field == chart->end() || !field->is_string() || field->get<std::string>().empty()) {
      out.push_back({chart_yaml, "field \"" + std::string(key) + "\" is missing or not text"});
    }
  }
  const auto version = chart->find("version");
  if (!spec.chart.version.empty() && version != chart->end() && version->is_string() &&
      version->get<std::string>() != spec.chart.version) {
    out.push_back({"spec.helm.main.version", "\"" + spec.chart.version +
                                                 "\" but the local chart's Chart.yaml says \"" +
                                                 version->get<std::string>() + "\""});
  }
}

// UTF-8 as JSON text needs it: well-formed sequences, no surrogates or overlongs; and no NUL,
// which PostgreSQL's text type refuses.
bool IsStorableText(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c == 0) return false;
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t n = 0;
    std::uint32_t cp = 0;
    if ((c & 0xE0) == 0xC0) {
      n = 1;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      n = 2;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      n = 3;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (s.size() - i <= n) return false;  // the sequence runs past the end
    for (std::size_t k = 1; k <= n; ++k) {
      const auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    static constexpr std::uint32_t kMin[] = {0, 0x80, 0x800, 0x10000};
    if (cp < kMin[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += n + 1;
  }
  return true;
}

}  // namespace

Json FilesToJson(const DriverFiles& files) {
  Json out = Json::object();
  for (const auto& [path, content] : files) {
    out[path] = IsStorableText(content) ? Json(content) : Json{{"base64", EncodeBase64(content)}};
  }
  return out;
}

Result<DriverFiles> FilesFromJson(const Json& json) {
  if (!json.is_object()) return InvalidArgument("driver files: expected a JSON object");
  DriverFiles out;
  for (const auto& [path, value] : json.items()) {
    if (value.is_string()) {
      out.emplace(path, value.get<std::string>());
    } else if (value.is_object() && value.contains("base64") && value["base64"].is_string()) {
      auto decoded = DecodeBase64(value["base64"].get<std::string>());
      if (!decoded)
        return InvalidArgument("driver file " + path + ": " + decoded.error().message());
      out.emplace(path, std::move(*decoded));
    } else {
      return InvalidArgument("driver file " + path + ": expected text or {\"base64\": ...}");
    }
  }
  return out;
}

bool DefinesFunction(std::string_view source, std::string_view function) {
  std::size_t at = 0;
  while (at <= source.size()) {
    std::size_t end = source.find('\n', at);
    if (end == std::string_view::npos) end = source.size();
    std::string_view line = source.substr(at, end - at);
    if (line.rfind("async", 0) == 0 && line.size() > 5 && (line[5] == ' ' || line[5] == '\t')) {
      line.remove_prefix(5);
      while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
    }
    if (line.rfind("def", 0) == 0 && line.size() > 3 && (line[3] == ' ' || line[3] == '\t')) {
      line.remove_prefix(3);
      while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
      if (line.rfind(function, 0) == 0) {
        line.remove_prefix(function.size());
        while (!line.empty() && line.front() == ' ') line.remove_prefix(1);
        if (!line.empty() && line.front() == '(') return true;
      }
    }
    at = end + 1;
  }
  return false;
}

DriverLoad CheckDriver(DriverFiles files, const LoadLimits& limits) {
  DriverLoad out;
  std::size_t total = 0;
  for (const auto& [path, content] : files) {
    total += content.size();
    if (content.size() > limits.max_file_bytes) {
      out.problems.push_back({path, "file of " + std::to_string(content.size()) +
                                        " bytes is over the limit of " +
                                        std::to_string(limits.max_file_bytes)});
    }
  }
  if (files.size() > limits.max_files) {
    out.problems.push_back({"", "the driver has " + std::to_string(files.size()) +
                                    " files, over the limit of " +
                                    std::to_string(limits.max_files)});
  }
  if (total > limits.max_total_bytes) {
    out.problems.push_back({"", "the driver's files hold " + std::to_string(total) +
                                    " bytes, over the limit of " +
                                    std::to_string(limits.max_total_bytes)});
  }
  if (!out.problems.empty()) return out;

  const auto spec_file = files.find(std::string(kSpecFile));
  if (spec_file == files.end()) {
    out.problems.push_back({std::string(kSpecFile), "the driver has no spec file"});
    return out;
  }
  SpecParse parsed = ParseSpec(spec_file->second);
  out.problems = std::move(parsed.problems);
  for (auto& p : out.problems) {
    if (p.path.empty()) {
      p.path = kSpecFile;  // the document as a whole
    } else if (p.path != kSpecFile) {
      p.file = kSpecFile;
    }
  }
  if (const auto values = files.find(std::string(kValuesFile)); values != files.end()) {
    for (auto& p : CheckTemplate(values->second, kValuesFile)) out.problems.push_back(std::move(p));
  }
  // On what could be read of a broken spec too: every problem in one pass.
  const DriverSpec& spec = parsed.spec ? *parsed.spec : parsed.partial;
  CheckActions(spec, files, out.problems);
  CheckLocalChart(spec, files, out.problems);
  if (!out.problems.empty()) return out;

  LoadedDriver driver;
  driver.digest = Sha256Digest(files);
  driver.spec_json = SpecToJson(*parsed.spec);
  driver.spec = std::move(*parsed.spec);
  driver.files = std::move(files);
  out.driver = std::move(driver);
  return out;
}

DriverLoad LoadDriverDirectory(const std::filesystem::path& dir, const LoadLimits& limits) {
  namespace fs = std::filesystem;
  DriverLoad out;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    out.problems.push_back({"", "not a directory"});
    return out;
  }
  DriverFiles files;
  std::size_t total = 0;
  fs::recursive_directory_iterator it(dir, fs::directory_options::none, ec);
  for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    const fs::path relative = it->path().lexically_relative(dir);
    const std::string name = relative.generic_string();
    if (it->path().filename() == ".git") {
      it.disable_recursion_pending();
      continue;
    }
    if (it->is_symlink(ec)) {
      out.problems.push_back({name, "symbolic links are not allowed in a driver"});
      continue;
    }
    if (it->is_directory(ec)) continue;
    if (!it->is_regular_file(ec)) {
      out.problems.push_back({name, "not a regular file"});
      continue;
    }
    const auto size = it->file_size(ec);
    if (ec) break;
    total += size;
    if (files.size() >= limits.max_files || size > limits.max_file_bytes ||
        total > limits.max_total_bytes) {
      out.problems.push_back(
          {name, "the driver is over its size limits (" + std::to_string(limits.max_files) +
                     " files, " + std::to_string(limits.max_file_bytes) + " bytes per file, " +
                     std::to_string(limits.max_total_bytes) + " in all)"});
      return out;
    }
    std::ifstream in(it->path(), std::ios::binary);
    std::ostringstream content;
    content << in.rdbuf();
    if (!in && !in.eof()) {
      out.problems.push_back({name, "cannot be read"});
      continue;
    }
    files.emplace(name, std::move(content).str());
  }
  if (ec) {
    out.problems.push_back({"", "cannot read \"" + dir.string() + "\": " + ec.message()});
  }
  if (!out.problems.empty()) return out;
  return CheckDriver(std::move(files), limits);
}

}  // namespace styrmin::driver
