package transcript

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// millis converts seconds to whole milliseconds, the resolution of every
// output. NaN and negative times become 0 so that no output is ever negative.
func millis(t float64) int64 {
	if !(t > 0) {
		return 0
	}
	if t > math.MaxInt64/2000 {
		return math.MaxInt64 / 2
	}
	return int64(math.Round(t * 1000))
}

// seconds converts milliseconds back to seconds; seconds(millis(t)) equals
// timing.Round(t) exactly for non-negative t.
func seconds(ms int64) float64 { return float64(ms) / 1000 }

// clock formats ms as hh:mm:ss followed by sep and the milliseconds, the
// form WebVTT (sep '.') and SRT (sep ',') share.
func clock(ms int64, sep byte) string {
	h := ms / 3600000
	m := ms / 60000 % 60
	s := ms / 1000 % 60
	f := ms % 1000
	b := make([]byte, 0, 12)
	if h < 10 {
		b = append(b, '0')
	}
	b = strconv.AppendInt(b, h, 10)
	b = append(b, ':', byte('0'+m/10), byte('0'+m%10), ':', byte('0'+s/10), byte('0'+s%10), sep,
		byte('0'+f/100), byte('0'+f/10%10), byte('0'+f%10))
	return string(b)
}

// shortClock formats ms for people: "1:23" or "1:02:03".
func shortClock(ms int64) string {
	total := ms / 1000
	h, m, s := total/3600, total/60%60, total%60
	b := make([]byte, 0, 8)
	if h > 0 {
		b = strconv.AppendInt(b, h, 10)
		b = append(b, ':', byte('0'+m/10), byte('0'+m%10))
	} else {
		b = strconv.AppendInt(b, m, 10)
	}
	b = append(b, ':', byte('0'+s/10), byte('0'+s%10))
	return string(b)
}

// decimal formats ms as seconds with no trailing zeros: "83.45", "0".
func decimal(ms int64) string { return strconv.FormatFloat(seconds(ms), 'f', -1, 64) }

// parseClock parses a caption timestamp, [h…:]mm:ss followed by one of seps
// and three digits of milliseconds, into milliseconds. Hours may have any
// number of digits up to nine; minutes and seconds are two digits below 60.
func parseClock(s string, seps string) (int64, error) {
	if len(s) < 9 {
		return 0, fmt.Errorf("timestamp %q is too short", s)
	}
	frac := s[len(s)-4:]
	if !strings.ContainsRune(seps, rune(frac[0])) || !allDigits(frac[1:]) {
		return 0, fmt.Errorf("timestamp %q does not end in %c and three digits", s, seps[0])
	}
	parts := strings.Split(s[:len(s)-4], ":")
	if len(parts) < 2 || len(parts) > 3 {
		return 0, fmt.Errorf("timestamp %q is not [hh:]mm:ss%cttt", s, seps[0])
	}
	var h int64
	if len(parts) == 3 {
		if len(parts[0]) == 0 || len(parts[0]) > 9 || !allDigits(parts[0]) {
			return 0, fmt.Errorf("timestamp %q has bad hours", s)
		}
		h, _ = strconv.ParseInt(parts[0], 10, 64)
		parts = parts[1:]
	}
	for _, p := range parts {
		if len(p) != 2 || !allDigits(p) || p[0] > '5' {
			return 0, fmt.Errorf("timestamp %q has minutes or seconds that are not two digits below 60", s)
		}
	}
	m := int64(parts[0][0]-'0')*10 + int64(parts[0][1]-'0')
	sec := int64(parts[1][0]-'0')*10 + int64(parts[1][1]-'0')
	f := int64(frac[1]-'0')*100 + int64(frac[2]-'0')*10 + int64(frac[3]-'0')
	return ((h*60+m)*60+sec)*1000 + f, nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// lines splits a text file into lines, after dropping a UTF-8 byte order
// mark and accepting CRLF, LF and CR line ends.
func lines(b []byte) []string {
	s := strings.TrimPrefix(string(b), "\uFEFF")
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	return strings.Split(s, "\n")
}

// blocks groups lines into runs of non-blank lines, each with the 1-based
// line number of its first line. A blank line is an empty one, as WebVTT
// has it, or with lenient (for SubRip files in the wild) one of white space.
func blocks(ls []string, from int, lenient bool) (out [][]string, at []int) {
	var cur []string
	for i := from; i <= len(ls); i++ {
		if i == len(ls) || ls[i] == "" || (lenient && strings.TrimSpace(ls[i]) == "") {
			if len(cur) > 0 {
				out = append(out, cur)
				at = append(at, i-len(cur)+1)
				cur = nil
			}
			continue
		}
		cur = append(cur, ls[i])
	}
	return out, at
}
