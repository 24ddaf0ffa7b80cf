// "Did you mean ...?" suggestions, ranked as graphql-js ranks them (Damerau-Levenshtein
// distance within 40% of the input's length, case differences counting 1, ties in natural
// order), so validation messages read the same as graphql-js's.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace styrmin::graphql {

std::vector<std::string> SuggestionList(std::string_view input,
                                        const std::vector<std::string>& options);

// " Did you mean \"a\", \"b\", or \"c\"?" (at most five), "" when there are none.
// `sub_message` goes after "mean" ("the enum value").
std::string DidYouMean(const std::vector<std::string>& suggestions,
                       std::string_view sub_message = {});

// "a", "a or b", "a, b, or c".
std::string OrList(const std::vector<std::string>& items);
std::string AndList(const std::vector<std::string>& items);

// graphql-js's naturalCompare: digit runs compare as numbers.
int NaturalCompare(std::string_view a, std::string_view b);

}  // namespace styrmin::graphql
