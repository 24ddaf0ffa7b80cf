// A structural check of a Jinja2 template, in C++, so that the server can refuse a driver whose
// values template cannot parse without running Python: every `{{ }}`, `{% %}` and `{# #}` is
// closed (string literals inside them respected), block tags are known, balanced and properly
// nested (`if`/`elif`/`else`/`endif`, `for`, `macro`, `call`, `filter`, block `set`, `with`,
// `block`, `autoescape`, `trans`), and `raw` blocks are skipped. The Python runtime's full parse
// at render time remains the final word on expressions.
#pragma once

#include <string_view>
#include <vector>

#include "styrmin/driver/spec.h"

namespace styrmin::driver {

// Every problem found, each at `<file_name>:<line>`.
std::vector<Problem> CheckTemplate(std::string_view text, std::string_view file_name);

}  // namespace styrmin::driver
