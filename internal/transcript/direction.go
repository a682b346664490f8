package transcript

import "strings"

// rtlLanguages are the languages written right to left by default (ISO 639
// codes, with the deprecated iw and ji): Arabic, Hebrew, Persian, Urdu,
// Yiddish, Pashto, Sindhi, Uyghur, Dhivehi, Sorani Kurdish, Syriac and
// others. A tag that names its script ("az-Arab", "ku-Arab", "uz-Arab",
// "pa-Arab") says so by the script instead.
var rtlLanguages = map[string]bool{
	"ar": true, "arc": true, "ckb": true, "dv": true, "fa": true, "he": true, "iw": true,
	"ji": true, "ks": true, "ps": true, "sd": true, "syr": true, "ug": true, "ur": true,
	"yi": true, "nqo": true, "prs": true, "pnb": true, "mzn": true, "glk": true, "lrc": true,
}

// rtlScripts are the ISO 15924 scripts written right to left.
var rtlScripts = map[string]bool{
	"arab": true, "hebr": true, "syrc": true, "thaa": true, "nkoo": true, "adlm": true,
	"rohg": true, "mand": true, "samr": true, "mend": true,
}

// Direction is the direction text in the language tag lang is written in,
// for an HTML dir attribute: "rtl" or "ltr". Without a tag, "ltr".
func Direction(lang string) string {
	parts := strings.Split(strings.ToLower(strings.TrimSpace(lang)), "-")
	for _, p := range parts[1:] {
		if len(p) == 4 && p[0] >= 'a' && p[0] <= 'z' {
			if rtlScripts[p] {
				return "rtl"
			}
			return "ltr" // a script named: it decides
		}
	}
	if rtlLanguages[parts[0]] {
		return "rtl"
	}
	return "ltr"
}
