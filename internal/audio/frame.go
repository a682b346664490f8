package audio

// MPEG audio versions as coded in bits 19-20 of a frame header.
const (
	mpeg25 = 0
	mpeg2  = 2
	mpeg1  = 3
)

// decoderDelay is the delay, in samples, of the standard MPEG layer III
// decoder's synthesis filterbank (528 + 1). LAME's gapless information counts
// on the decoder to add it, and ffmpeg skips exactly this many samples more
// than the encoder delay.
const decoderDelay = 529

// frameHeader is a parsed layer III frame header.
type frameHeader struct {
	version    int // mpeg1, mpeg2 or mpeg25
	bitrate    int // bits per second
	sampleRate int
	channels   int
	size       int // whole frame in bytes, header included
	samples    int // samples per channel in the frame
	crc        bool
}

var (
	// Layer III bitrates in kbit/s by bitrate index; 0 (free format) and 15
	// (forbidden) are rejected before these are read.
	bitratesV1  = [16]int{0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 0}
	bitratesV2  = [16]int{0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160, 0}
	sampleRates = [4][3]int{
		mpeg25: {11025, 12000, 8000},
		mpeg2:  {22050, 24000, 16000},
		mpeg1:  {44100, 48000, 32000},
	}
)

// parseFrameHeader parses the four bytes b as a layer III frame header. It
// rejects everything that is not layer III, free-format streams (their frame
// size is not in the header, so a scan cannot step over them) and reserved
// values, which together make false syncs in random data rare.
func parseFrameHeader(b []byte) (frameHeader, bool) {
	if len(b) < 4 || b[0] != 0xFF || b[1]&0xE0 != 0xE0 {
		return frameHeader{}, false
	}
	version := int(b[1]>>3) & 3
	layer := int(b[1]>>1) & 3
	bitrateIndex := int(b[2] >> 4)
	rateIndex := int(b[2]>>2) & 3
	if version == 1 || layer != 1 || bitrateIndex == 0 || bitrateIndex == 15 || rateIndex == 3 || b[3]&3 == 2 {
		return frameHeader{}, false
	}
	h := frameHeader{
		version:    version,
		sampleRate: sampleRates[version][rateIndex],
		channels:   2,
		crc:        b[1]&1 == 0,
	}
	if b[3]>>6 == 3 {
		h.channels = 1
	}
	padding := int(b[2]>>1) & 1
	if version == mpeg1 {
		h.bitrate = bitratesV1[bitrateIndex] * 1000
		h.samples = 1152
		h.size = 144*h.bitrate/h.sampleRate + padding
	} else {
		h.bitrate = bitratesV2[bitrateIndex] * 1000
		h.samples = 576
		h.size = 72*h.bitrate/h.sampleRate + padding
	}
	return h, true
}

// sameStream reports whether two headers can belong to one stream: a stream
// never changes version, sample rate or channel count, while a false sync in
// random bytes usually does.
func (h frameHeader) sameStream(o frameHeader) bool {
	return h.version == o.version && h.sampleRate == o.sampleRate && h.channels == o.channels
}

// versionName is the name Info.Version uses.
func (h frameHeader) versionName() string {
	switch h.version {
	case mpeg1:
		return "MPEG-1"
	case mpeg2:
		return "MPEG-2"
	default:
		return "MPEG-2.5"
	}
}

// sideInfoSize is the size of the side information that follows the header
// (and its CRC); the Xing/Info tag sits right after it.
func (h frameHeader) sideInfoSize() int {
	switch {
	case h.version == mpeg1 && h.channels == 1:
		return 17
	case h.version == mpeg1:
		return 32
	case h.channels == 1:
		return 9
	default:
		return 17
	}
}

// minFrameSize is the smallest frame a stream with h's version and sample
// rate can have; it bounds how many frames a file of a given size can hold,
// so a frame count read from a tag can be checked before it is believed.
func (h frameHeader) minFrameSize() int {
	if h.version == mpeg1 {
		return 144 * 32000 / h.sampleRate
	}
	return 72 * 8000 / h.sampleRate
}
