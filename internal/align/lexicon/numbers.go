package lexicon

import (
	"strconv"
	"strings"
)

var (
	smallNumbers = strings.Fields("zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen")
	tens         = strings.Fields("_ _ twenty thirty forty fifty sixty seventy eighty ninety")
	scales       = strings.Fields("_ thousand million billion trillion")
)

// numberWords reads a number aloud, most likely reading first: whole is
// its digits (commas allowed), frac its decimals with the point (".9" or
// ""), suffix an ordinal ending ("st", "nd", "rd", "th"), a plural "s"
// ("1960s") or "". A four-digit number is read as a year ("nineteen forty
// one") and, unless it has a suffix, as a quantity too.
func numberWords(whole, frac, suffix string) [][]string {
	digits := strings.ReplaceAll(whole, ",", "")
	n, err := strconv.ParseUint(digits, 10, 64)
	switch {
	case err != nil || n >= 1e15 || (len(digits) > 1 && digits[0] == '0'):
		// Too long to say as a number, or a code ("007"): digit by digit.
		var words []string
		for _, d := range digits {
			words = append(words, smallNumbers[d-'0'])
		}
		return [][]string{spoken(words, frac, suffix)}
	case whole == digits && frac == "" && len(digits) == 4 && isYear(n):
		out := [][]string{spoken(year(n), "", suffix)}
		if suffix == "" {
			out = append(out, cardinal(n))
		}
		return out
	}
	return [][]string{spoken(cardinal(n), frac, suffix)}
}

// spoken adds a number's decimals and suffix to its words.
func spoken(words []string, frac, suffix string) []string {
	if frac != "" {
		words = append(words, "point")
		for _, d := range frac[1:] {
			words = append(words, smallNumbers[d-'0'])
		}
	}
	last := len(words) - 1
	switch suffix {
	case "st", "nd", "rd", "th":
		words[last] = ordinal(words[last])
	case "s":
		words[last] = plural(words[last])
	}
	return words
}

// isYear reports whether a four-digit number is read as a year: 1010–1999
// ("nineteen forty one", "ten sixty six") and 2010–2099 ("twenty twenty").
func isYear(n uint64) bool {
	return n >= 1010 && n < 2000 || n >= 2010 && n < 2100
}

// year reads a year in pairs of digits.
func year(n uint64) []string {
	hi, lo := n/100, n%100
	out := cardinal(hi)
	switch {
	case lo == 0:
		return append(out, "hundred")
	case lo < 10:
		return append(append(out, "oh"), cardinal(lo)...)
	}
	return append(out, cardinal(lo)...)
}

// cardinal reads n < 10^15 in words, without "and" (as American readers
// say it; "and" is often there in British readings, which the aligner's
// optional silence does not cover, but its word is short).
func cardinal(n uint64) []string {
	if n < 20 {
		return []string{smallNumbers[n]}
	}
	if n < 100 {
		out := []string{tens[n/10]}
		if n%10 != 0 {
			out = append(out, smallNumbers[n%10])
		}
		return out
	}
	if n < 1000 {
		out := []string{smallNumbers[n/100], "hundred"}
		if n%100 != 0 {
			out = append(out, cardinal(n%100)...)
		}
		return out
	}
	var groups []uint64
	for m := n; m > 0; m /= 1000 {
		groups = append(groups, m%1000)
	}
	var out []string
	for i := len(groups) - 1; i >= 0; i-- {
		if groups[i] == 0 {
			continue
		}
		out = append(out, cardinal(groups[i])...)
		if i > 0 {
			out = append(out, scales[i])
		}
	}
	return out
}

// ordinal turns the last word of a cardinal into its ordinal.
func ordinal(w string) string {
	switch w {
	case "one":
		return "first"
	case "two":
		return "second"
	case "three":
		return "third"
	case "five":
		return "fifth"
	case "eight":
		return "eighth"
	case "nine":
		return "ninth"
	case "twelve":
		return "twelfth"
	}
	if strings.HasSuffix(w, "y") {
		return w[:len(w)-1] + "ieth"
	}
	return w + "th"
}

// plural turns the last word of a number into its plural ("sixties").
func plural(w string) string {
	switch {
	case strings.HasSuffix(w, "y"):
		return w[:len(w)-1] + "ies"
	case strings.HasSuffix(w, "x"):
		return w + "es"
	}
	return w + "s"
}
