package testtool

import (
	"bytes"
	"encoding/binary"
	"math"
)

// WAV is a RIFF WAVE file of x (full scale ±1) as 16-bit mono PCM at rate:
// the input lame and the aligner's tests take, and what a person might
// upload by mistake.
func WAV(x []float32, rate int) []byte {
	var b bytes.Buffer
	n := len(x)
	b.WriteString("RIFF")
	binary.Write(&b, binary.LittleEndian, uint32(36+2*n))
	b.WriteString("WAVEfmt ")
	for _, v := range []any{uint32(16), uint16(1), uint16(1), uint32(rate), uint32(2 * rate), uint16(2), uint16(16)} {
		binary.Write(&b, binary.LittleEndian, v)
	}
	b.WriteString("data")
	binary.Write(&b, binary.LittleEndian, uint32(2*n))
	for _, v := range x {
		s := math.Round(float64(v) * 32767)
		binary.Write(&b, binary.LittleEndian, int16(max(-32768, min(32767, s))))
	}
	return b.Bytes()
}
