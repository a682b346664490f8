package feed

import (
	"crypto/sha1"
	"encoding/hex"
	"strings"
)

// podcastNamespace is the UUID namespace of podcast:guid,
// ead4c236-bf58-58c6-a2c6-a6b28d128cb6.
var podcastNamespace = [16]byte{
	0xea, 0xd4, 0xc2, 0x36, 0xbf, 0x58, 0x58, 0xc6,
	0xa2, 0xc6, 0xa6, 0xb2, 0x8d, 0x12, 0x8c, 0xb6,
}

// GUID returns the podcast:guid of a feed: the UUIDv5 (RFC 9562) of
// feedURL without its scheme and trailing slashes, in the podcast
// namespace ead4c236-bf58-58c6-a2c6-a6b28d128cb6. "https://podnews.net/rss/"
// and "podnews.net/rss" both give 9b024349-ccf0-5f69-a609-6b82873eab3c.
//
// A show keeps the GUID of the URL it was first published at; after a move,
// set Show.GUID to the old value instead of deriving a new one.
func GUID(feedURL string) string {
	name := feedURL
	if i := strings.Index(name, "://"); i >= 0 && isScheme(name[:i]) {
		name = name[i+len("://"):]
	}
	name = strings.TrimRight(name, "/")
	return uuidV5(podcastNamespace, name)
}

// isScheme reports whether s is a URI scheme (RFC 3986: a letter, then
// letters, digits, '+', '-' or '.').
func isScheme(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		switch {
		case 'a' <= r && r <= 'z', 'A' <= r && r <= 'Z':
		case i > 0 && ('0' <= r && r <= '9' || r == '+' || r == '-' || r == '.'):
		default:
			return false
		}
	}
	return true
}

// uuidV5 is RFC 9562's name-based UUID with SHA-1: the first 16 bytes of
// SHA-1(namespace || name), with the version (5) and variant (10) bits set.
func uuidV5(namespace [16]byte, name string) string {
	h := sha1.New()
	h.Write(namespace[:])
	h.Write([]byte(name))
	var u [16]byte
	copy(u[:], h.Sum(nil))
	u[6] = u[6]&0x0f | 0x50
	u[8] = u[8]&0x3f | 0x80
	var b [36]byte
	hex.Encode(b[0:8], u[0:4])
	b[8] = '-'
	hex.Encode(b[9:13], u[4:6])
	b[13] = '-'
	hex.Encode(b[14:18], u[6:8])
	b[18] = '-'
	hex.Encode(b[19:23], u[8:10])
	b[23] = '-'
	hex.Encode(b[24:], u[10:])
	return string(b[:])
}

// isUUID reports whether s has the 8-4-4-4-12 hex form of a UUID.
func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
				return false
			}
		}
	}
	return true
}
