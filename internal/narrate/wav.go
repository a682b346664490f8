package narrate

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// decodeWAV reads the 16-bit PCM WAV files that festival, flite and
// espeak-ng write, mixing channels down to mono. A data chunk whose size
// field overstates the bytes present (espeak-ng writing to a pipe leaves a
// placeholder size) is read to the end of the file.
func decodeWAV(b []byte) (samples []float32, rate int, err error) {
	if len(b) < 12 || string(b[0:4]) != "RIFF" || string(b[8:12]) != "WAVE" {
		return nil, 0, errors.New("not a RIFF WAVE file")
	}
	var channels, bits int
	haveFmt := false
	for p := 12; p+8 <= len(b); {
		id := string(b[p : p+4])
		size := int(binary.LittleEndian.Uint32(b[p+4 : p+8]))
		body := b[p+8:]
		if size < 0 || size > len(body) {
			size = len(body)
		}
		body = body[:size]
		switch id {
		case "fmt ":
			if size < 16 {
				return nil, 0, errors.New("short fmt chunk")
			}
			format := binary.LittleEndian.Uint16(body[0:2])
			channels = int(binary.LittleEndian.Uint16(body[2:4]))
			rate = int(binary.LittleEndian.Uint32(body[4:8]))
			bits = int(binary.LittleEndian.Uint16(body[14:16]))
			if (format != 1 && format != 0xfffe) || bits != 16 || channels < 1 || rate <= 0 {
				return nil, 0, fmt.Errorf("unsupported WAV format %d, %d bits, %d channels, %d Hz", format, bits, channels, rate)
			}
			haveFmt = true
		case "data":
			if !haveFmt {
				return nil, 0, errors.New("data chunk before fmt chunk")
			}
			frames := size / (2 * channels)
			samples = make([]float32, frames)
			for i := range frames {
				var sum int
				for c := range channels {
					o := 2 * (i*channels + c)
					sum += int(int16(binary.LittleEndian.Uint16(body[o : o+2])))
				}
				samples[i] = float32(sum) / float32(channels) / 32768
			}
			return samples, rate, nil
		}
		p += 8 + size + size&1 // chunks are padded to even sizes
	}
	return nil, 0, errors.New("no data chunk")
}
