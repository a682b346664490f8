package transcript

import "golang.org/x/text/language"

// rtlScripts are the ISO 15924 scripts written right to left.
var rtlScripts = map[string]bool{
	"Arab": true, "Hebr": true, "Syrc": true, "Thaa": true, "Nkoo": true, "Adlm": true,
	"Rohg": true, "Mand": true, "Samr": true, "Mend": true, "Armi": true, "Phnx": true,
}

// Direction is the direction text in the language tag lang is written in,
// for an HTML dir attribute: "rtl" or "ltr". The script is the tag's own
// ("az-Arab") or the one CLDR says the language is written in ("ur":
// Arabic, "yi": Hebrew, "dv": Thaana), through golang.org/x/text/language.
// Without a tag, or with one it cannot read, "ltr".
func Direction(lang string) string {
	tag, err := language.Parse(lang)
	if err != nil {
		return "ltr"
	}
	if script, _ := tag.Script(); rtlScripts[script.String()] {
		return "rtl"
	}
	return "ltr"
}
